-- Whether the tables hold any row (rows datagen did not load, when the dataset state is 'empty').
SELECT EXISTS (SELECT 1 FROM auth_user) OR EXISTS (SELECT 1 FROM record) OR EXISTS (SELECT 1 FROM tag)
