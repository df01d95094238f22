/*
 * sig.c: the tool never dies in the middle of writing results or with a temporary cluster left behind.
 * SIGINT, SIGTERM and SIGHUP only set a flag (and optionally cancel the running statement); the code that owns a
 * loop checks sig_caught() and unwinds normally, so every cleanup path is the ordinary one.
 */
#include "common/sig.h"

#include <signal.h>
#include <stddef.h>
#include <string.h>

static volatile sig_atomic_t caught;
static PGcancel *volatile cancel_target;

static void on_signal(int signo)
{
	caught = signo;
	PGcancel *c = cancel_target;
	if (c) {
		char err[256];
		PQcancel(c, err, sizeof err);
	}
}

void sig_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL); /* a closed terminal must not leave a temporary cluster behind either */
	signal(SIGPIPE, SIG_IGN);
}

int sig_caught(void)
{
	return caught;
}

void sig_set_cancel(PGcancel *cancel)
{
	cancel_target = cancel;
}

int sig_exit_status(void)
{
	return caught ? 128 + caught : 0;
}
