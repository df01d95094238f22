/*
 * waits.c: the vocabulary of where the server time goes (resdir/waits.h): the classes of a sampled
 * backend, the counting of one step's samples, and waits.csv's rows and summary.json's "waits" object,
 * written from the same counts so that every figure shown agrees with the files.
 */
#include "resdir/waits.h"
#include "common/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const wait_class_names[WAIT_NCLASSES] = {
	[WAIT_CPU] = "CPU", [WAIT_IO] = "IO", [WAIT_LWLOCK] = "LWLock", [WAIT_LOCK] = "Lock",
	[WAIT_CLIENT] = "Client", [WAIT_IPC] = "IPC", [WAIT_TIMEOUT] = "Timeout", [WAIT_BUFFERPIN] = "BufferPin",
	[WAIT_ACTIVITY] = "Activity", [WAIT_EXTENSION] = "Extension", [WAIT_OTHER] = "Other", [WAIT_IDLE] = "Idle",
	[WAIT_IDLE_XACT] = "IdleInTransaction", [WAIT_HIDDEN] = "Hidden",
};

const char *const wait_class_labels[WAIT_NCLASSES] = {
	[WAIT_CPU] = "on CPU", [WAIT_IO] = "IO", [WAIT_LWLOCK] = "LWLock", [WAIT_LOCK] = "Lock",
	[WAIT_CLIENT] = "Client (active)", [WAIT_IPC] = "IPC", [WAIT_TIMEOUT] = "Timeout",
	[WAIT_BUFFERPIN] = "BufferPin", [WAIT_ACTIVITY] = "Activity", [WAIT_EXTENSION] = "Extension",
	[WAIT_OTHER] = "other state", [WAIT_IDLE] = "idle: client side, between queries",
	[WAIT_IDLE_XACT] = "idle in transaction: client side", [WAIT_HIDDEN] = "hidden from this role",
};

const char wait_csv_header[] = "step,kind,name,samples,share,step_samples,trusted\n";

int wait_class_find(const char *name)
{
	for (int c = 0; c < WAIT_NCLASSES; c++)
		if (strcmp(name, wait_class_names[c]) == 0)
			return c;
	return -1;
}

enum wait_class wait_classify(const char *state, const char *wait_type)
{
	if (!state)
		return WAIT_HIDDEN;
	if (strcmp(state, "idle") == 0)
		return WAIT_IDLE;
	if (strncmp(state, "idle in transaction", 19) == 0) /* also "(aborted)" */
		return WAIT_IDLE_XACT;
	if (strcmp(state, "active") != 0 && strcmp(state, "fastpath function call") != 0)
		return WAIT_OTHER; /* "disabled": track_activities is off */
	if (!wait_type || !*wait_type)
		return WAIT_CPU;
	/* the classes are the wait_event_type names of a backend, from WAIT_IO to WAIT_EXTENSION */
	for (int c = WAIT_IO; c <= WAIT_EXTENSION; c++)
		if (strcmp(wait_type, wait_class_names[c]) == 0)
			return (enum wait_class)c;
	return WAIT_OTHER;
}

void wait_profile_add(struct wait_profile *p, const char *state, const char *wait_type, const char *wait_event,
                      uint64_t n)
{
	enum wait_class c = wait_classify(state, wait_type);
	p->cls[c] += n;
	p->samples += n;
	if (c == WAIT_CPU || c >= WAIT_OTHER || !wait_event)
		return; /* events of active waits only: an idle backend's ClientRead is the client's time */
	char name[128];
	snprintf(name, sizeof name, "%s:%s", wait_type, wait_event);
	for (int k = 0; k < p->nev; k++)
		if (strcmp(p->ev[k].name, name) == 0) {
			p->ev[k].n += n;
			return;
		}
	if (p->nev < WAIT_EVENTS_MAX) {
		snprintf(p->ev[p->nev].name, sizeof p->ev[p->nev].name, "%s", name);
		p->ev[p->nev++].n = n;
	}
}

int wait_profile_top(const struct wait_profile *p, int *idx, int max)
{
	int n = 0;
	for (int k = 0; k < p->nev; k++) {
		/* insertion into the short sorted list: most samples first, then by name */
		int at = n;
		while (at > 0) {
			const struct wait_event_count *prev = &p->ev[idx[at - 1]];
			if (prev->n > p->ev[k].n || (prev->n == p->ev[k].n && strcmp(prev->name, p->ev[k].name) < 0))
				break;
			at--;
		}
		if (at >= max)
			continue;
		int last = n < max ? n : max - 1;
		for (int j = last; j > at; j--)
			idx[j] = idx[j - 1];
		idx[at] = k;
		if (n < max)
			n++;
	}
	return n;
}

static double share(uint64_t n, uint64_t total)
{
	return total ? (double)n / (double)total : 0;
}

void wait_csv_rows(struct steps_buf *b, const char *step, const struct wait_profile *p)
{
	int trusted = p->samples >= WAIT_MIN_SAMPLES;
	for (int c = 0; c < WAIT_NCLASSES; c++)
		steps_buf_printf(b, "%s,class,%s,%llu,%.6f,%llu,%d\n", step, wait_class_names[c], (unsigned long long)p->cls[c],
		                 share(p->cls[c], p->samples), (unsigned long long)p->samples, trusted);
	int idx[WAIT_TOP_EVENTS];
	int n = wait_profile_top(p, idx, WAIT_TOP_EVENTS);
	for (int k = 0; k < n; k++) {
		const struct wait_event_count *e = &p->ev[idx[k]];
		steps_buf_printf(b, "%s,event,%s,%llu,%.6f,%llu,%d\n", step, e->name, (unsigned long long)e->n,
		                 share(e->n, p->samples), (unsigned long long)p->samples, trusted);
	}
}

int wait_csv_write(const char *path, const char *const *steps, const struct wait_profile *const *profiles, int n)
{
	struct steps_buf b = { 0 };
	steps_buf_printf(&b, "%s", wait_csv_header);
	for (int i = 0; i < n; i++)
		if (profiles[i])
			wait_csv_rows(&b, steps[i], profiles[i]);
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	int ok = f && fwrite(b.p, 1, b.len, f) == b.len;
	if (f && fclose(f) != 0)
		ok = 0;
	if (ok && rename(tmp, path) < 0)
		ok = 0;
	if (!ok) {
		log_error("could not write \"%s\": %s", path, strerror(errno));
		unlink(tmp);
	}
	steps_buf_free(&b);
	return ok ? 0 : -1;
}

json_t *wait_json(const struct wait_profile *p)
{
	json_t *cls = json_object(), *events = json_array();
	for (int c = 0; c < WAIT_NCLASSES; c++)
		json_object_set_new(cls, wait_class_names[c], json_integer((json_int_t)p->cls[c]));
	int idx[WAIT_EVENTS_MAX];
	int n = wait_profile_top(p, idx, WAIT_EVENTS_MAX);
	for (int k = 0; k < n; k++)
		json_array_append_new(events, json_pack("{s:s,s:I}", "event", p->ev[idx[k]].name, "samples",
		                                        (json_int_t)p->ev[idx[k]].n));
	return json_pack("{s:f,s:I,s:I,s:I,s:b,s:o,s:o}", "interval_ms", p->interval_ms, "reads", (json_int_t)p->reads,
	                 "failed_reads", (json_int_t)p->failed, "samples", (json_int_t)p->samples, "trusted",
	                 p->samples >= WAIT_MIN_SAMPLES, "classes", cls, "events", events);
}

double res_waits_share(const struct res_waits *w, enum wait_class c)
{
	return w->samples > 0 ? w->cls[c] / w->samples : 0;
}
