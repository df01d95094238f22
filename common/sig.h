/* sig.h: SIGINT/SIGTERM/SIGHUP become a flag that long loops poll; the only process-wide mutable state. */
#ifndef PGPB_SIG_H
#define PGPB_SIG_H

#include <libpq-fe.h>

/* Installs the handlers (no SA_RESTART, so blocking waits return EINTR) and ignores SIGPIPE. */
void sig_install(void);
/* The signal number caught (SIGINT, SIGTERM or SIGHUP), or 0. */
int sig_caught(void);
/* While set, a caught signal also sends a cancel request for the statement running on that connection
 * (PQcancel is async-signal-safe). Pass NULL to clear. Main thread only. */
void sig_set_cancel(PGcancel *cancel);
/* Exit status for a command ended by a signal: 128 + signo (130 for SIGINT). */
int sig_exit_status(void);

#endif
