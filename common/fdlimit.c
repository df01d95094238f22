/*
 * fdlimit.c: raising the open-file limit for many connections (common/fdlimit.h).
 */
#include "common/fdlimit.h"
#include "common/log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

int fdlimit_raise(long need, const char *who, int quiet)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
		log_error("could not read the open-file limit: %s", strerror(errno));
		return -1;
	}
	if (rl.rlim_cur != RLIM_INFINITY && (rlim_t)need <= rl.rlim_cur)
		return 0;
	if (rl.rlim_cur == RLIM_INFINITY)
		return 0;
	if (rl.rlim_max != RLIM_INFINITY && (rlim_t)need > rl.rlim_max) {
		log_error("%s need %ld open files, but the hard limit is %llu (soft limit %llu)", who, need,
		          (unsigned long long)rl.rlim_max, (unsigned long long)rl.rlim_cur);
		log_hint("Raise the hard limit (as root: ulimit -Hn %ld, or nofile in /etc/security/limits.conf, or "
		         "LimitNOFILE= for a service), or run fewer connections.", need);
		return -1;
	}
	unsigned long long old = (unsigned long long)rl.rlim_cur;
	rl.rlim_cur = (rlim_t)need;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
		log_error("could not raise the open-file limit from %llu to %ld: %s", old, need, strerror(errno));
		return -1;
	}
	if (!quiet) {
		char hard[32];
		if (rl.rlim_max == RLIM_INFINITY)
			snprintf(hard, sizeof hard, "unlimited");
		else
			snprintf(hard, sizeof hard, "%llu", (unsigned long long)rl.rlim_max);
		log_info("raised the open-file limit (soft) from %llu to %ld for %s (hard limit %s)", old, need, who, hard);
	}
	return 0;
}
