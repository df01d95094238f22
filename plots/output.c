/*
 * output.c: the output side that `plot` (plot.c) and `compare` (compare.c) share: parsing the chart
 * formats and size, making the output directory, and drawing one chart in each format asked for. It sits
 * below both pages so that neither calls into the other.
 */
#include "plots/output.h"
#include "plots/report.h"
#include "common/cli.h"
#include "common/log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int plots_parse_formats(const char *option, const char *s, unsigned *formats)
{
	static const char *const allowed[] = { "svg", "png", NULL };
	char **w;
	size_t n;
	if (cli_parse_words(option, s, allowed, &w, &n) < 0)
		return -1;
	*formats = 0;
	for (size_t i = 0; i < n; i++)
		*formats |= strcmp(w[i], "svg") == 0 ? PLOTS_SVG : PLOTS_PNG;
	cli_free_words(w, n);
	return 0;
}

int plots_parse_size(const char *s, struct plots_options *o)
{
	int w, h, n = 0;
	if (sscanf(s, "%dx%d%n", &w, &h, &n) != 2 || s[n] || w < 200 || h < 150 || w > 8000 || h > 8000) {
		log_error("invalid value \"%s\" for option --size: expected WIDTHxHEIGHT in pixels, 200x150 to 8000x8000", s);
		return -1;
	}
	o->width = w;
	o->height = h;
	return 0;
}

void plots_options_resolve(struct plots_options *o, const struct plots_options *in)
{
	*o = in ? *in : (struct plots_options){ 0 };
	if (!o->formats)
		o->formats = PLOTS_DEFAULT_FORMATS;
	if (o->width <= 0 || o->height <= 0) {
		o->width = 800;
		o->height = 480;
	}
}

static int make_one_dir(const char *path)
{
	if (mkdir(path, 0755) != 0 && errno != EEXIST) {
		log_error("could not create directory \"%s\": %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int plots_make_dir(const char *path)
{
	char buf[4096];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (make_one_dir(buf) < 0)
			return -1;
		*p = '/';
	}
	if (make_one_dir(buf) < 0)
		return -1;
	struct stat st;
	if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)) {
		log_error("could not create directory \"%s\": %s", buf, "a file of that name exists");
		return -1;
	}
	return 0;
}

int plots_make_out(const char *out_dir, char *charts_dir, size_t len)
{
	snprintf(charts_dir, len, "%s/charts", out_dir);
	return plots_make_dir(out_dir) < 0 || plots_make_dir(charts_dir) < 0 ? -1 : 0;
}

int plots_draw(const struct chart *c, const char *charts_dir, struct report_item *it, unsigned formats)
{
	static const struct { unsigned flag; enum chart_format fmt; const char *ext; } fm[] = {
		{ PLOTS_SVG, CHART_SVG, "svg" }, { PLOTS_PNG, CHART_PNG, "png" } };
	for (size_t f = 0; f < 2; f++) {
		char path[4200], err[512];
		snprintf(path, sizeof path, "%s/%s.%s", charts_dir, it->name, fm[f].ext);
		if (!it->drawn || !(formats & fm[f].flag)) {
			remove(path);
			continue;
		}
		if (chart_render(c, path, fm[f].fmt, err, sizeof err) < 0) {
			log_error("%s", err);
			return -1;
		}
		it->files |= fm[f].fmt;
	}
	return 0;
}
