-- What the last datagen left: state, the canonical arguments it was given, and its fingerprint.
SELECT state, coalesce(args, ''), coalesce(fingerprint, '') FROM pgpagebench_dataset WHERE id = 1
