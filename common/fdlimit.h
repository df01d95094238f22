/*
 * fdlimit.h: the open-file limit (RLIMIT_NOFILE) raised to what a run's connections need. Every client
 * connection is a descriptor, in the driver and in a pooler it starts, so 10,000 clients need a soft limit
 * well above the usual 1024: it is raised up to the hard limit, and a hard limit too low is refused with
 * both numbers instead of failing mid-step with EMFILE.
 */
#ifndef PGPB_FDLIMIT_H
#define PGPB_FDLIMIT_H

/*
 * Makes the soft limit at least need (never lowers it). who names what needs them ("10000 connections").
 * Says so when it raised it (unless quiet). 0, or -1 when the hard limit is below need (logged with both
 * numbers and the ulimit hint).
 */
int fdlimit_raise(long need, const char *who, int quiet);

#endif
