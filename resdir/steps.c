/*
 * steps.c: the column table of steps.csv and the one routine that writes a row of it, as CSV and as its
 * summary.json object, so the two can never disagree on a name, an order or a number's decimals.
 */
#include "resdir/steps.h"
#include "common/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct steps_column steps_columns[RF_COUNT] = {
	[RF_STEP] = { "step", STEPS_TEXT, 0, "", 0 },
	[RF_MODEL] = { "model", STEPS_TEXT, 0, "", 0 },
	[RF_QUERY] = { "query", STEPS_TEXT, 0, "", 0 },
	[RF_CONNECTIONS] = { "connections", STEPS_INT, 0, "", 1 },
	[RF_WORKERS] = { "workers", STEPS_INT, 0, "", 1 },
	[RF_LOOPS] = { "loops", STEPS_INT, 0, "", 1 },
	[RF_OFFSET] = { "offset", STEPS_INT, 0, "", 1 },
	[RF_RATE_QPS] = { "rate_qps", STEPS_NUM, 1, "qps", 1 },
	[RF_DURATION_S] = { "duration_s", STEPS_NUM, 3, "s", 1 },
	[RF_OK] = { "ok", STEPS_INT, 0, "", 1 },
	[RF_ERRORS] = { "errors", STEPS_INT, 0, "", 1 },
	[RF_VALIDATION_ERRORS] = { "validation_errors", STEPS_INT, 0, "", 1 },
	[RF_RECONNECTS] = { "reconnects", STEPS_INT, 0, "", 1 },
	[RF_QPS] = { "qps", STEPS_NUM, 1, "qps", 1 },
	[RF_MIN_US] = { "min_us", STEPS_INT, 0, "us", 1 },
	[RF_MEAN_US] = { "mean_us", STEPS_NUM, 1, "us", 1 },
	[RF_STDDEV_US] = { "stddev_us", STEPS_NUM, 1, "us", 1 },
	[RF_P50_US] = { "p50_us", STEPS_INT, 0, "us", 1 },
	[RF_P90_US] = { "p90_us", STEPS_INT, 0, "us", 1 },
	[RF_P95_US] = { "p95_us", STEPS_INT, 0, "us", 1 },
	[RF_P99_US] = { "p99_us", STEPS_INT, 0, "us", 1 },
	[RF_P999_US] = { "p999_us", STEPS_INT, 0, "us", 1 },
	[RF_MAX_US] = { "max_us", STEPS_INT, 0, "us", 1 },
	[RF_UNC_P50_US] = { "uncorrected_p50_us", STEPS_INT, 0, "us", 1 },
	[RF_UNC_P99_US] = { "uncorrected_p99_us", STEPS_INT, 0, "us", 1 },
	[RF_UNC_P999_US] = { "uncorrected_p999_us", STEPS_INT, 0, "us", 1 },
	[RF_WAIT_MEAN_US] = { "wait_mean_us", STEPS_NUM, 1, "us", 1 },
	[RF_WAIT_P50_US] = { "wait_p50_us", STEPS_INT, 0, "us", 1 },
	[RF_WAIT_P99_US] = { "wait_p99_us", STEPS_INT, 0, "us", 1 },
	[RF_SERVICE_P50_US] = { "service_p50_us", STEPS_INT, 0, "us", 1 },
	[RF_SERVICE_P99_US] = { "service_p99_us", STEPS_INT, 0, "us", 1 },
	[RF_LAG_P99_US] = { "lag_p99_us", STEPS_INT, 0, "us", 1 },
	[RF_LATE_STARTS] = { "late_starts", STEPS_INT, 0, "", 1 },
	[RF_CONNECT_S] = { "connect_s", STEPS_NUM, 3, "s", 0 },
	[RF_CLIENT_CPU_S] = { "client_cpu_s", STEPS_NUM, 3, "s", 0 },
	[RF_CPU_PER_QUERY_US] = { "cpu_per_query_us", STEPS_NUM, 2, "us", 1 },
	[RF_SERVER_CALLS] = { "server_calls", STEPS_INT, 0, "", 1 },
	[RF_SERVER_MEAN_EXEC_US] = { "server_mean_exec_us", STEPS_NUM, 1, "us", 1 },
	[RF_SERVER_STDDEV_EXEC_US] = { "server_stddev_exec_us", STEPS_NUM, 1, "us", 0 },
	[RF_SERVER_MEAN_PLAN_US] = { "server_mean_plan_us", STEPS_NUM, 1, "us", 1 },
	[RF_SERVER_BLKS_HIT] = { "server_blks_hit", STEPS_INT, 0, "", 0 },
	[RF_SERVER_BLKS_READ] = { "server_blks_read", STEPS_INT, 0, "", 0 },
	[RF_DB_XACT_COMMIT] = { "db_xact_commit", STEPS_INT, 0, "", 0 },
	[RF_DB_BLKS_HIT] = { "db_blks_hit", STEPS_INT, 0, "", 0 },
	[RF_DB_BLKS_READ] = { "db_blks_read", STEPS_INT, 0, "", 0 },
	[RF_PARTIAL] = { "partial", STEPS_INT, 0, "", 1 },
	[RF_THREADS] = { "threads", STEPS_INT, 0, "", 0 },
	[RF_P99_RELIABLE] = { "p99_reliable", STEPS_INT, 0, "", 0 },
	[RF_P999_RELIABLE] = { "p999_reliable", STEPS_INT, 0, "", 0 },
	[RF_QUALIFYING_ROWS] = { "qualifying_rows", STEPS_INT, 0, "", 0 },
	[RF_EMPTY_PAGES] = { "empty_pages", STEPS_INT, 0, "", 1 },
	[RF_ACHIEVED_RATIO] = { "achieved_ratio", STEPS_NUM, 3, "", 0 },
	[RF_RATE_UNMET] = { "rate_unmet", STEPS_INT, 0, "", 0 },
	[RF_DROPPED] = { "dropped", STEPS_INT, 0, "", 1 },
	[RF_INFLIGHT_START] = { "inflight_start", STEPS_INT, 0, "", 1 },
	[RF_INFLIGHT_END] = { "inflight_end", STEPS_INT, 0, "", 1 },
	[RF_SPLIT_ERROR_US] = { "split_error_us", STEPS_NUM, 1, "us", 1 },
	[RF_SPLIT_RELIABLE] = { "split_reliable", STEPS_INT, 0, "", 1 },
	[RF_HICCUP_P99_US] = { "hiccup_p99_us", STEPS_INT, 0, "us", 1 },
	[RF_HICCUP_MAX_US] = { "hiccup_max_us", STEPS_INT, 0, "us", 1 },
	[RF_DRIVER_SATURATED] = { "driver_saturated", STEPS_INT, 0, "", 1 },
	[RF_START_LATE_S] = { "start_late_s", STEPS_NUM, 3, "s", 0 },
	[RF_START_SLIPPED] = { "start_slipped", STEPS_INT, 0, "", 0 },
	[RF_POOLER_XACTS] = { "pooler_xacts", STEPS_INT, 0, "", 0 },
	[RF_POOLER_QUERIES] = { "pooler_queries", STEPS_INT, 0, "", 0 },
	[RF_POOLER_WAIT_US] = { "pooler_wait_us", STEPS_INT, 0, "us", 0 },
	[RF_POOLER_WAIT_MEAN_US] = { "pooler_wait_mean_us", STEPS_NUM, 1, "us", 0 },
	[RF_POOLER_QUERY_MEAN_US] = { "pooler_query_mean_us", STEPS_NUM, 1, "us", 0 },
	[RF_POOLER_CL_WAITING_MAX] = { "pooler_cl_waiting_max", STEPS_INT, 0, "", 0 },
	[RF_POOLER_MAXWAIT_US] = { "pooler_maxwait_us", STEPS_INT, 0, "us", 0 },
	[RF_POOLER_SERVERS_MAX] = { "pooler_servers_max", STEPS_INT, 0, "", 0 },
	[RF_POOLER_CLIENTS_MAX] = { "pooler_clients_max", STEPS_INT, 0, "", 0 },
	[RF_CONNECTS] = { "connects", STEPS_INT, 0, "", 1 },
	[RF_CONNECT_ERRORS] = { "connect_errors", STEPS_INT, 0, "", 1 },
	[RF_CONNECT_MEAN_US] = { "connect_mean_us", STEPS_NUM, 1, "us", 1 },
	[RF_CONNECT_P50_US] = { "connect_p50_us", STEPS_INT, 0, "us", 1 },
	[RF_CONNECT_P99_US] = { "connect_p99_us", STEPS_INT, 0, "us", 1 },
	[RF_CONNECT_MAX_US] = { "connect_max_us", STEPS_INT, 0, "us", 1 },
	[RF_QUERY_MEAN_US] = { "query_mean_us", STEPS_NUM, 1, "us", 1 },
	[RF_QUERY_P50_US] = { "query_p50_us", STEPS_INT, 0, "us", 1 },
	[RF_QUERY_P99_US] = { "query_p99_us", STEPS_INT, 0, "us", 1 },
	[RF_DB_SESSIONS] = { "db_sessions", STEPS_INT, 0, "", 0 },
};

void steps_text(struct steps_row *row, enum res_field f, const char *v)
{
	row->cell[f] = (struct steps_cell){ .set = STEPS_SET_TEXT, .text = v };
}

void steps_int(struct steps_row *row, enum res_field f, long long v)
{
	row->cell[f] = (struct steps_cell){ .set = STEPS_SET_INT, .i = v };
}

void steps_num(struct steps_row *row, enum res_field f, double v)
{
	row->cell[f] = (struct steps_cell){ .set = STEPS_SET_NUM, .d = v };
}

void steps_buf_printf(struct steps_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (!b->p || (size_t)n >= b->cap - b->len) {
		size_t need = b->len + (size_t)n + 1;
		b->cap = need > 2 * b->cap ? need : 2 * b->cap;
		b->p = pgpb_realloc(b->p, b->cap);
		va_start(ap, fmt);
		vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

void steps_buf_free(struct steps_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

void steps_write_header(struct steps_buf *b)
{
	for (int i = 0; i < RF_COUNT; i++)
		steps_buf_printf(b, "%s%s", i ? "," : "", steps_columns[i].name);
	steps_buf_printf(b, "\n");
}

void steps_write_row(struct steps_buf *b, json_t *obj, const struct steps_row *row)
{
	for (int i = 0; i < RF_COUNT; i++) {
		const struct steps_cell *c = &row->cell[i];
		const char *name = steps_columns[i].name;
		if (i)
			steps_buf_printf(b, ",");
		switch (c->set) {
		case STEPS_SET_TEXT:
			steps_buf_printf(b, "%s", c->text);
			json_object_set_new(obj, name, json_string(c->text));
			break;
		case STEPS_SET_INT:
			steps_buf_printf(b, "%lld", c->i);
			json_object_set_new(obj, name, json_integer(c->i));
			break;
		case STEPS_SET_NUM:
			steps_buf_printf(b, "%.*f", steps_columns[i].decimals, c->d);
			json_object_set_new(obj, name, json_real(c->d));
			break;
		case STEPS_EMPTY:
			json_object_set_new(obj, name, json_null());
			break;
		}
	}
	steps_buf_printf(b, "\n");
}

int steps_column_find(const char *name)
{
	for (int i = 0; i < RF_COUNT; i++)
		if (strcmp(steps_columns[i].name, name) == 0)
			return i;
	return -1;
}
