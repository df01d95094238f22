/*
 * chart.c: the chart layer on GNU libplot. libplot draws lines, text and markers in a user coordinate
 * system and nothing else, so this file does the rest: data-to-pixel mapping with clamping (libplot has no
 * clipping), 1-2-5 ticks on linear and log axes, unit-aware tick labels, margins measured from the widest
 * tick label, a legend outside the plot area (so it never covers data), Latin-1 text, and every plotter
 * parameter set explicitly so environment variables such as BITMAPSIZE cannot change the output.
 * One plotter exists at a time and lives only inside chart_render (reentrant pl_*_r API only).
 */
#include "plots/chart.h"
#include "common/alloc.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <plot.h>

/* Okabe-Ito colours (safe for the common colour-vision deficiencies), then dash styles and markers so the
 * series stay apart in grey print. */
static const char *const colours[CHART_NSTYLES] = { "#0072B2", "#D55E00", "#009E73", "#CC79A7",
	                                             "#E69F00", "#56B4E9", "#000000", "#8C6D31" };
/* Stacked bars' colours: the Okabe-Ito eight, then six more set apart from them in hue or lightness. */
static const char *const bar_colours[CHART_NBARCOLOURS] = { "#0072B2", "#D55E00", "#009E73", "#CC79A7",
	                                                    "#E69F00", "#56B4E9", "#000000", "#8C6D31",
	                                                    "#F0E442", "#999999", "#882255", "#44AA99",
	                                                    "#DDDDDD", "#AA4499" };
/* libplot's filled circle, square, triangle, diamond and inverted triangle */
static const int shapes[5] = { 16, 17, 18, 19, 20 };

/* A style's marker: the first eight styles take a shape each (repeating after five, in other colours);
 * past eight the colours repeat, so the shape moves on by one each round and no two of the first 40
 * styles look alike. */
int chart_marker(int style)
{
	static const int first[CHART_NSTYLES] = { 0, 1, 2, 3, 4, 0, 1, 3 };
	if (style < 0)
		style = 0;
	return shapes[(first[style % CHART_NSTYLES] + style / CHART_NSTYLES) % 5];
}
static const char *const dashes[CHART_NDASHES] = { "solid", "shortdashed", "dotted", "longdashed", "dotdashed",
	                                            "dotdotdashed" };

/* ---- series ---------------------------------------------------------------------------------- */

void chart_init(struct chart *c, int width, int height, size_t npanels)
{
	memset(c, 0, sizeof *c);
	c->width = width;
	c->height = height;
	c->npanels = npanels < 1 ? 1 : npanels > CHART_MAXPANELS ? CHART_MAXPANELS : npanels;
}

struct chart_series *chart_series_add(struct chart_panel *p, int style, int dash, const char *fmt, ...)
{
	/* series are allocated one by one so the pointer returned stays valid as more are added */
	struct chart_series *s = pgpb_calloc(1, sizeof *s);
	p->series = pgpb_reallocarray(p->series, p->nseries + 1, sizeof *p->series);
	p->series[p->nseries++] = s;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->label, sizeof s->label, fmt, ap);
	va_end(ap);
	s->style = style;
	s->dash = dash;
	s->markers = 1;
	return s;
}

void chart_point(struct chart_series *s, double x, double y)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->x = pgpb_reallocarray(s->x, s->cap, sizeof *s->x);
		s->y = pgpb_reallocarray(s->y, s->cap, sizeof *s->y);
		if (s->hollow)
			s->hollow = pgpb_realloc(s->hollow, s->cap);
	}
	s->x[s->n] = x;
	s->y[s->n] = y;
	if (s->hollow)
		s->hollow[s->n] = 0;
	s->n++;
}

void chart_point_hollow(struct chart_series *s, double x, double y, int hollow)
{
	chart_point(s, x, y);
	if (!hollow)
		return;
	if (!s->hollow)
		s->hollow = pgpb_calloc(s->cap, 1);
	s->hollow[s->n - 1] = 1;
}

/* A point and where it was added: sorting by (x, position) keeps points of equal x in their order. */
struct sort_point {
	double x, y;
	size_t pos;
	unsigned char hollow;
};

static int cmp_sort_point(const void *a, const void *b)
{
	const struct sort_point *p = a, *q = b;
	if (p->x != q->x)
		return p->x < q->x ? -1 : 1;
	return (p->pos > q->pos) - (p->pos < q->pos);
}

/* Sorts points [a, b) of s by x, stable. */
static void sort_span(struct chart_series *s, size_t a, size_t b, struct sort_point *p)
{
	size_t i = a + 1;
	while (i < b && !(s->x[i - 1] > s->x[i]))
		i++;
	if (i >= b)
		return; /* already in order: the usual case */
	for (i = a; i < b; i++)
		p[i - a] = (struct sort_point){ s->x[i], s->y[i], i, s->hollow ? s->hollow[i] : 0 };
	qsort(p, b - a, sizeof *p, cmp_sort_point);
	for (i = a; i < b; i++) {
		s->x[i] = p[i - a].x;
		s->y[i] = p[i - a].y;
		if (s->hollow)
			s->hollow[i] = p[i - a].hollow;
	}
}

void chart_series_sort(struct chart_series *s)
{
	/* O(n log n), so a chart of 10,000 steps sorts as fast as one of ten. A NAN x breaks the line: it
	 * stays where it is and the points on either side are sorted apart. */
	if (s->n < 2)
		return;
	struct sort_point *p = pgpb_reallocarray(NULL, s->n, sizeof *p);
	size_t a = 0;
	for (size_t i = 0; i <= s->n; i++)
		if (i == s->n || isnan(s->x[i])) {
			if (i > a + 1)
				sort_span(s, a, i, p);
			a = i + 1;
		}
	free(p);
}

void chart_mark_add(struct chart_panel *p, double x, const char *label)
{
	p->marks = pgpb_reallocarray(p->marks, p->nmarks + 1, sizeof *p->marks);
	p->marks[p->nmarks].x = x;
	snprintf(p->marks[p->nmarks].label, sizeof p->marks[p->nmarks].label, "%s", label);
	p->nmarks++;
}

void chart_free(struct chart *c)
{
	for (size_t i = 0; i < CHART_MAXPANELS; i++) {
		for (size_t j = 0; j < c->panel[i].nseries; j++) {
			free(c->panel[i].series[j]->x);
			free(c->panel[i].series[j]->y);
			free(c->panel[i].series[j]->hollow);
			free(c->panel[i].series[j]);
		}
		free(c->panel[i].series);
		free(c->panel[i].marks);
	}
	memset(c, 0, sizeof *c);
}

static int point_ok(const struct chart_axis *ax, const struct chart_axis *ay, double x, double y)
{
	if (!isfinite(x) || !isfinite(y))
		return 0;
	if (ax->log && x <= 0 && !(ax->zero_at > 0))
		return 0;
	if (ay->log && y <= 0 && !(ay->zero_at > 0))
		return 0;
	return 1;
}

static size_t drawable_points(const struct chart_panel *p, const struct chart_series *s)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		n += point_ok(&p->x, &p->y, s->x[i], s->y[i]);
	return n;
}

/* Panels drawn: a grid draws them all, a stack at most CHART_MAXSTACK. */
static size_t panels_drawn(const struct chart *c)
{
	return c->cols > 0 || c->npanels <= CHART_MAXSTACK ? c->npanels : CHART_MAXSTACK;
}

/* The legend: the first series of each distinct label that has a point to draw (small multiples repeat
 * their series in every panel). Returns how many; *out (the caller frees it; NULL when 0) holds them. */
struct legend_entry {
	const struct chart_panel *p;
	const struct chart_series *s;
};

static size_t legend_entries(const struct chart *c, struct legend_entry **out)
{
	size_t total = 0, n = 0;
	for (size_t i = 0; i < panels_drawn(c); i++)
		total += c->panel[i].nseries;
	struct legend_entry *e = total ? pgpb_calloc(total, sizeof *e) : NULL;
	for (size_t i = 0; i < panels_drawn(c); i++)
		for (size_t j = 0; j < c->panel[i].nseries; j++) {
			const struct chart_series *s = c->panel[i].series[j];
			if (!s->label[0] || drawable_points(&c->panel[i], s) == 0)
				continue;
			size_t k = 0;
			while (k < n && strcmp(e[k].s->label, s->label) != 0)
				k++;
			if (k == n)
				e[n++] = (struct legend_entry){ &c->panel[i], s };
		}
	*out = e;
	return n;
}

size_t chart_nseries(const struct chart *c)
{
	struct legend_entry *e;
	size_t n = legend_entries(c, &e);
	free(e);
	return n;
}

/* ---- text ------------------------------------------------------------------------------------ */

void chart_latin1(const char *utf8, char *out, size_t len)
{
	if (len == 0)
		return;
	size_t o = 0;
	const unsigned char *p = (const unsigned char *)utf8;
	/* A hand decoder: iconv's //TRANSLIT depends on the locale, and this must behave the same everywhere. */
	while (*p && o + 1 < len) {
		unsigned cp;
		int n;
		if (*p < 0x80) {
			cp = *p;
			n = 1;
		} else if ((*p & 0xE0) == 0xC0) {
			cp = *p & 0x1F;
			n = 2;
		} else if ((*p & 0xF0) == 0xE0) {
			cp = *p & 0x0F;
			n = 3;
		} else if ((*p & 0xF8) == 0xF0) {
			cp = *p & 0x07;
			n = 4;
		} else {
			cp = '?';
			n = -1;
		}
		int good = n > 0;
		for (int i = 1; i < n && good; i++) {
			if ((p[i] & 0xC0) != 0x80)
				good = 0;
			else
				cp = (cp << 6) | (p[i] & 0x3F);
		}
		if (!good) {
			out[o++] = '?';
			p++;
			continue;
		}
		p += n;
		if (cp == '\\')
			cp = '/';
		else if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || cp > 0xFF)
			cp = '?';
		out[o++] = (char)cp;
	}
	out[o] = '\0';
}

/* ---- ticks and labels ------------------------------------------------------------------------ */

static const double m125[3] = { 1, 2, 5 };

/* The 1-2-5 value with index k: k = 3*e + i -> m125[i] * 10^e */
static double v125(int k)
{
	int e = (int)floor(k / 3.0), i = k - 3 * e;
	return m125[i] * pow(10, e);
}

static int k125_down(double v)
{
	int e = (int)floor(log10(v));
	int k = 3 * e + 2;
	while (v125(k) > v * (1 + 1e-9))
		k--;
	return k;
}

static int k125_up(double v)
{
	int k = k125_down(v);
	while (v125(k) < v * (1 - 1e-9))
		k++;
	return k;
}

static double nice_step(double raw)
{
	double mag = pow(10, floor(log10(raw)));
	double norm = raw / mag;
	return (norm < 1.5 ? 1 : norm < 3.5 ? 2 : norm < 7.5 ? 5 : 10) * mag;
}

size_t chart_ticks(const struct chart_axis *a, double *lo, double *hi, double *ticks, size_t max)
{
	size_t n = 0;
	if (a->unit == CHART_UNIT_PCTL && a->log) {
		*lo = 1;
		double top = *hi > 100 ? *hi : 100;
		*hi = pow(10, ceil(log10(top) - 1e-9));
		ticks[n++] = 1;
		if (n < max)
			ticks[n++] = 2;
		for (double t = 10; t <= *hi * (1 + 1e-9) && n < max; t *= 10)
			ticks[n++] = t;
		return n;
	}
	if (a->log && a->pow2 && *lo > 0 && *hi > *lo * (1 + 1e-9)) {
		/* powers of two inside the data, the axis ending at the data (pool sizes 1, 2, 4 ... 64) */
		int e0 = (int)ceil(log2(*lo) - 1e-9), e1 = (int)floor(log2(*hi) + 1e-9), step = 1;
		while (max > 0 && (size_t)((e1 - e0) / step + 1) > max)
			step++;
		for (int e = e0; e <= e1 && n < max; e += step)
			ticks[n++] = ldexp(1, e);
		return n;
	}
	if (a->log) {
		double l = *lo, h = *hi;
		if (!(l > 0) || !(h > 0)) {
			l = 1;
			h = 10;
		}
		int kl = k125_down(l), kh = k125_up(h);
		if (kh <= kl)
			kh = kl + 1;
		if (a->integer && h > l && !(a->zero_at > 0)) {
			/* counts (pool sizes 1..64): the axis ends at the data, ticks inside it */
			*lo = l;
			*hi = h;
			kl = k125_up(l);
			kh = k125_down(h);
			if (fabs(v125(kl) - l) > 1e-9 * l && n < max)
				ticks[n++] = l;
			for (int k = kl; k <= kh && n < max; k++)
				ticks[n++] = v125(k);
			if (fabs(v125(kh) - h) > 1e-9 * h && n < max)
				ticks[n++] = h;
			return n;
		}
		*lo = v125(kl);
		*hi = v125(kh);
		double decades = log10(*hi / *lo);
		if (decades <= 3.05) {
			for (int k = kl; k <= kh && n < max; k++)
				ticks[n++] = v125(k);
		} else {
			int step = decades > 8 ? 2 : 1;
			int e0 = (int)ceil(log10(*lo) - 1e-9), e1 = (int)floor(log10(*hi) + 1e-9);
			if (*lo < pow(10, e0) * (1 - 1e-9) && n < max)
				ticks[n++] = *lo; /* the lower end, so a zero_at position keeps its "0" */
			for (int e = e0; e <= e1 && n < max; e += step)
				ticks[n++] = pow(10, e);
		}
		return n;
	}
	double l = *lo, h = *hi;
	if (!isfinite(l) || !isfinite(h)) {
		l = 0;
		h = 1;
	}
	if (a->from_zero) {
		if (l > 0)
			l = 0;
		if (h < 0)
			h = 0;
	}
	if (h - l < 1e-12 * (fabs(h) + fabs(l)) || h == l) {
		if (l == 0) {
			h = 1;
		} else {
			double pad = fabs(l) * 0.1;
			l -= pad;
			h += pad;
			if (a->from_zero && l < 0 && *lo >= 0)
				l = 0;
		}
	}
	double step = nice_step((h - l) / 5);
	if (a->integer && step < 1) {
		step = 1;
		if (h - l < 2) {
			l = floor(l) - (floor(l) == l);
			h = ceil(h) + (ceil(h) == h);
			if (a->from_zero && l < 0 && *lo >= 0)
				l = 0;
		}
	}
	*lo = floor(l / step + 1e-9) * step;
	*hi = ceil(h / step - 1e-9) * step;
	for (double t = *lo; t <= *hi + step * 1e-6 && n < max; t += step)
		ticks[n++] = fabs(t) < step * 1e-6 ? 0 : t;
	return n;
}

/* "%g" with at most 3 significant digits, no trailing zeros */
static void fmt_num(double v, char *buf, size_t len)
{
	double a = fabs(v);
	if (a >= 100 || a == 0)
		snprintf(buf, len, "%.0f", v);
	else if (a >= 10)
		snprintf(buf, len, "%.3g", v);
	else
		snprintf(buf, len, "%.3g", v);
}

void chart_format_value(enum chart_unit unit, double v, char *buf, size_t len)
{
	char n[32];
	double a = fabs(v);
	if (!isfinite(v)) {
		snprintf(buf, len, "-");
		return;
	}
	switch (unit) {
	case CHART_UNIT_US:
		if (a == 0)
			snprintf(buf, len, "0");
		else if (a < 1000) {
			fmt_num(v, n, sizeof n);
			snprintf(buf, len, "%s \xC2\xB5s", n);
		} else if (a < 1e6) {
			fmt_num(v / 1e3, n, sizeof n);
			snprintf(buf, len, "%s ms", n);
		} else {
			fmt_num(v / 1e6, n, sizeof n);
			snprintf(buf, len, "%s s", n);
		}
		return;
	case CHART_UNIT_SECONDS:
		fmt_num(v, n, sizeof n);
		snprintf(buf, len, "%s s", n);
		return;
	case CHART_UNIT_PCTL: {
		double p = 100.0 * (1.0 - 1.0 / v);
		if (p < 0.0005)
			snprintf(buf, len, "0%%");
		else {
			/* 99.9 and 99.99 need their digits; round to the fewest that show the value */
			int d = 0;
			while (d < 6 && fabs(p - round(p * pow(10, d)) / pow(10, d)) > 1e-9 * p)
				d++;
			snprintf(buf, len, "%.*f%%", d, p);
		}
		return;
	}
	case CHART_UNIT_QPS:
	case CHART_UNIT_NONE:
	default:
		/* plain counts (pool sizes, offsets) stay whole up to 9999: "1000" beside "800", not "1k" */
		if (a < (unit == CHART_UNIT_NONE ? 10000 : 1000))
			fmt_num(v, buf, len);
		else if (a < 1e6) {
			fmt_num(v / 1e3, n, sizeof n);
			snprintf(buf, len, "%sk", n);
		} else {
			fmt_num(v / 1e6, n, sizeof n);
			snprintf(buf, len, "%sM", n);
		}
		return;
	}
}

static void tick_label(const struct chart_axis *a, double t, double lo, double hi, char *buf, size_t len)
{
	if (a->log && a->zero_at > 0 && fabs(t - lo) <= 1e-9 * lo)
		snprintf(buf, len, "0");
	else if (a->unit == CHART_UNIT_NONE && hi >= 10000)
		chart_format_value(CHART_UNIT_QPS, t, buf, len); /* one style on the axis: 1k ... 10k, not 1000 ... 10k */
	else
		chart_format_value(a->unit, t, buf, len);
}

/* ---- rendering ------------------------------------------------------------------------------- */

struct axis_map {
	double lo, hi; /* data range */
	double p0, p1; /* pixel range */
	int log;
	int zero_low; /* log with zero_at: values <= 0 go to p0 */
	double ticks[40];
	size_t nticks;
};

static double map(const struct axis_map *m, double v)
{
	double t;
	if (m->log) {
		if (v <= 0)
			return m->p0;
		t = (log(v) - log(m->lo)) / (log(m->hi) - log(m->lo));
	} else {
		t = (v - m->lo) / (m->hi - m->lo);
	}
	if (!(t >= 0))
		t = 0; /* also NAN */
	if (t > 1)
		t = 1;
	return m->p0 + t * (m->p1 - m->p0);
}

/* A bar panel's extent: x one half unit beyond its outer bars, y from 0 to its highest stack. */
static void bars_extent(const struct chart_panel *p, int is_y, double *lo, double *hi)
{
	size_t n = p->nseries ? p->series[0]->n : 0;
	for (size_t i = 0; i < n; i++) {
		double x = p->series[0]->x[i], top = 0;
		for (size_t j = 0; j < p->nseries; j++)
			if (i < p->series[j]->n && isfinite(p->series[j]->y[i]) && p->series[j]->y[i] > 0)
				top += p->series[j]->y[i];
		if (!isfinite(x))
			continue;
		double a = is_y ? 0 : x - 0.5, b = is_y ? top : x + 0.5;
		if (a < *lo)
			*lo = a;
		if (b > *hi)
			*hi = b;
	}
}

/* Widens [lo, hi] to the drawable values of one panel on one axis. */
static void panel_extent(const struct chart_panel *p, int is_y, double *lo, double *hi)
{
	if (p->bars) {
		bars_extent(p, is_y, lo, hi);
		return;
	}
	const struct chart_axis *a = is_y ? &p->y : &p->x;
	for (size_t j = 0; j < p->nseries; j++) {
		const struct chart_series *s = p->series[j];
		for (size_t i = 0; i < s->n; i++) {
			if (!point_ok(&p->x, &p->y, s->x[i], s->y[i]))
				continue;
			double v = is_y ? s->y[i] : s->x[i];
			if (a->log && v <= 0)
				continue;
			if (v < *lo)
				*lo = v;
			if (v > *hi)
				*hi = v;
		}
	}
	if (!is_y)
		for (size_t i = 0; i < p->nmarks; i++) {
			double v = p->marks[i].x;
			if (isfinite(v) && (!a->log || v > 0)) {
				if (v < *lo)
					*lo = v;
				if (v > *hi)
					*hi = v;
			}
		}
}

/* The range and ticks of an axis over panels [0, count) of the array, which share its settings. */
static void axis_range(const struct chart_panel *panels, size_t count, int is_y, struct axis_map *m)
{
	const struct chart_axis *a = is_y ? &panels[0].y : &panels[0].x;
	double lo = INFINITY, hi = -INFINITY;
	for (size_t i = 0; i < count; i++)
		panel_extent(&panels[i], is_y, &lo, &hi);
	if (a->log && a->zero_at > 0 && a->zero_at < lo)
		lo = a->zero_at;
	if (lo > hi) {
		lo = a->log ? 1 : 0;
		hi = a->log ? 10 : 1;
	}
	m->log = a->log;
	m->zero_low = a->log && a->zero_at > 0;
	m->lo = lo;
	m->hi = hi;
	m->nticks = chart_ticks(a, &m->lo, &m->hi, m->ticks, sizeof m->ticks / sizeof m->ticks[0]);
	if (m->zero_low) {
		/* between the "0" at the edge and the smallest real value there is no scale: no ticks there */
		size_t k = 0;
		for (size_t t = 0; t < m->nticks; t++)
			if (t == 0 || m->ticks[t] >= a->zero_at * 10 * (1 - 1e-9))
				m->ticks[k++] = m->ticks[t];
		m->nticks = k;
	}
}

struct rc {
	plPlotter *pl;
	int png;
	double k; /* font scale */
	const char *font;
};

static void font(struct rc *r, double size)
{
	pl_fontname_r(r->pl, r->font);
	/* Hershey strokes are not antialiased: a little larger in PNG keeps small glyphs such as 0 round */
	pl_ffontsize_r(r->pl, size * r->k * (r->png ? 1.1 : 1.0));
}

static double text_width(struct rc *r, const char *utf8)
{
	char l1[512];
	chart_latin1(utf8, l1, sizeof l1);
	return pl_flabelwidth_r(r->pl, l1);
}

static void text(struct rc *r, double x, double y, int h, int v, const char *utf8)
{
	char l1[512];
	chart_latin1(utf8, l1, sizeof l1);
	pl_fmove_r(r->pl, x, y);
	pl_alabel_r(r->pl, h, v, l1);
}

/* Shortens a label (UTF-8, cut on a character boundary) with "..." until it fits maxw. */
static void fit_label(struct rc *r, const char *in, char *out, size_t len, double maxw)
{
	snprintf(out, len, "%s", in);
	if (text_width(r, out) <= maxw)
		return;
	size_t n = strlen(out);
	while (n > 1) {
		n--;
		while (n > 0 && ((unsigned char)out[n] & 0xC0) == 0x80)
			n--;
		char tmp[256];
		snprintf(tmp, sizeof tmp, "%.*s...", (int)n, in);
		if (text_width(r, tmp) <= maxw || n <= 1) {
			snprintf(out, len, "%s", tmp);
			return;
		}
	}
}

static void line(struct rc *r, double x0, double y0, double x1, double y1)
{
	pl_fline_r(r->pl, x0, y0, x1, y1);
	pl_endpath_r(r->pl);
}

static void pen(struct rc *r, const char *colour, double width, const char *mod)
{
	pl_pencolorname_r(r->pl, colour);
	pl_flinewidth_r(r->pl, width);
	pl_linemod_r(r->pl, mod);
}

static double series_width(const struct rc *r)
{
	return r->png ? 3.0 * r->k : 2.0 * r->k;
}

/* A marker; hollow (for series with a non-solid line) is the filled shape with a white core, since libplot
 * draws the outline of its own hollow markers hairline-thin in SVG. A thin point (too few queries for its
 * percentile) is an outline only: a wider white core on any series. */
static void draw_marker(struct rc *r, int style, int dash, int thin, double x, double y)
{
	double size = (r->png ? 10 : 9.5) * r->k;
	int m = chart_marker(style);
	pl_linemod_r(r->pl, "solid");
	pl_fmarker_r(r->pl, x, y, m, size);
	if (dash % CHART_NDASHES || thin) {
		pl_savestate_r(r->pl);
		pl_pencolorname_r(r->pl, "white");
		pl_fmarker_r(r->pl, x, y, m, size * (thin ? 0.72 : m == 18 || m == 20 ? 0.4 : 0.5));
		pl_restorestate_r(r->pl);
	}
}

/* Markers only where they stay apart: a timeline with hundreds of points gets none (nor in the legend). */
static int shows_markers(const struct rc *r, const struct chart_panel *p, const struct chart_series *s, double span)
{
	size_t n = drawable_points(p, s);
	return s->markers && n > 0 && span / (double)n >= 8 * r->k;
}

static void draw_series(struct rc *r, const struct chart_panel *p, const struct chart_series *s,
                        const struct axis_map *mx, const struct axis_map *my)
{
	const char *colour = colours[s->style % CHART_NSTYLES];
	pen(r, colour, series_width(r), dashes[s->dash % CHART_NDASHES]);
	pl_filltype_r(r->pl, 0);
	int open = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (!point_ok(&p->x, &p->y, s->x[i], s->y[i])) {
			if (open)
				pl_endpath_r(r->pl);
			open = 0;
			continue;
		}
		double px = map(mx, s->x[i]), py = map(my, s->y[i]);
		if (!open)
			pl_fmove_r(r->pl, px, py);
		else
			pl_fcont_r(r->pl, px, py);
		open = 1;
	}
	if (open)
		pl_endpath_r(r->pl);
	if (shows_markers(r, p, s, fabs(mx->p1 - mx->p0))) {
		for (size_t i = 0; i < s->n; i++)
			if (point_ok(&p->x, &p->y, s->x[i], s->y[i]))
				draw_marker(r, s->style, s->dash, s->hollow && s->hollow[i], map(mx, s->x[i]), map(my, s->y[i]));
	}
}

/* A bar panel's bars: each segment a filled box in its series' colour, outlined in white so neighbours stay
 * apart; a hollow point's segment is an outline only. */
static void draw_bars(struct rc *r, const struct chart_panel *p, const struct axis_map *mx, const struct axis_map *my)
{
	size_t n = p->nseries ? p->series[0]->n : 0;
	double half = fabs(map(mx, 1) - map(mx, 0)) * 0.35;
	for (size_t i = 0; i < n; i++) {
		double x = p->series[0]->x[i], cum = 0;
		if (!isfinite(x))
			continue;
		double px = map(mx, x);
		for (size_t j = 0; j < p->nseries; j++) {
			const struct chart_series *s = p->series[j];
			if (i >= s->n || !isfinite(s->y[i]) || s->y[i] <= 0)
				continue;
			const char *colour = bar_colours[s->style % CHART_NBARCOLOURS];
			int hollow = s->hollow && s->hollow[i];
			double y0 = map(my, cum), y1 = map(my, cum + s->y[i]);
			pen(r, hollow ? colour : "white", (r->png ? 1 : 0.6) * r->k, "solid");
			pl_filltype_r(r->pl, hollow ? 0 : 1);
			if (!hollow)
				pl_fillcolorname_r(r->pl, colour);
			pl_fbox_r(r->pl, px - half, y0, px + half, y1);
			pl_filltype_r(r->pl, 0);
			cum += s->y[i];
		}
	}
}

enum { FS_TITLE = 17, FS_SUB = 12, FS_TICK = 12, FS_AXIS = 13, FS_LEGEND = 12, FS_NOTE = 11, FS_MARK = 10 };

/* Where a panel goes and which of its labels it draws. */
struct panel_box {
	double x0, x1, y0, y1;
	int xlabels, ylabels; /* tick labels */
	int xtitle, ytitle; /* axis titles beside the panel (stacked); a grid has one of each for all */
};

/* x tick labels: one that would overlap its left neighbour is left out. Widths get a margin in SVG, whose
 * viewer may set Helvetica in a wider font (Debian gives DejaVu Sans). On the percentile axis the "0%" at
 * the left edge gives way to "50%" unless there is room for both twice over: the median matters more. */
static void x_tick_labels(struct rc *r, const struct chart_axis *a, const struct axis_map *m, double y)
{
	double k = r->k, slack = r->png ? 1.0 : 1.3, last_right = -1e9;
	char buf[64];
	size_t first = 0;
	if (a->unit == CHART_UNIT_PCTL && m->nticks >= 2) {
		char b2[64];
		tick_label(a, m->ticks[0], m->lo, m->hi, buf, sizeof buf);
		tick_label(a, m->ticks[1], m->lo, m->hi, b2, sizeof b2);
		double gap = map(m, m->ticks[1]) - map(m, m->ticks[0]);
		if (gap < slack * (text_width(r, buf) + text_width(r, b2)) + 8 * k)
			first = 1;
	}
	for (size_t t = first; t < m->nticks; t++) {
		double px = map(m, m->ticks[t]);
		tick_label(a, m->ticks[t], m->lo, m->hi, buf, sizeof buf);
		double w = slack * text_width(r, buf);
		if (px - w / 2 < last_right + 6 * k)
			continue;
		text(r, px, y, 'c', 't', buf);
		last_right = px + w / 2;
	}
}

/* The axis titles of a plot area from x0 to x1 and y0 to y1: x under its tick labels, y turned upright at
 * the left edge. A stacked panel draws its own; a grid draws one of each for all its panels. */
static void axis_titles(struct rc *r, const struct chart_panel *p, double x0, double x1, double y0, double y1,
                        int xtitle, int ytitle)
{
	double k = r->k;
	char buf[512];
	font(r, FS_AXIS);
	pl_pencolorname_r(r->pl, "#111111");
	if (xtitle && p->x.title[0]) {
		fit_label(r, p->x.title, buf, sizeof buf, x1 - x0);
		text(r, (x0 + x1) / 2, y0 - (8 + FS_TICK + 8) * k, 'c', 't', buf);
	}
	if (ytitle && p->y.title[0]) {
		fit_label(r, p->y.title, buf, sizeof buf, y1 - y0);
		pl_savestate_r(r->pl);
		pl_ftextangle_r(r->pl, 90);
		text(r, 10 * k, (y0 + y1) / 2, 'c', 't', buf);
		pl_restorestate_r(r->pl);
	}
}

/* Grid lines at the ticks inside the panel. */
static void draw_grid(struct rc *r, const struct panel_box *b, const struct axis_map *mx, const struct axis_map *my)
{
	pen(r, "#E3E3E3", (r->png ? 1 : 0.8) * r->k, "solid");
	for (size_t t = 0; t < mx->nticks; t++) {
		double px = map(mx, mx->ticks[t]);
		if (px > b->x0 + 0.5 && px < b->x1 - 0.5)
			line(r, px, b->y0, px, b->y1);
	}
	for (size_t t = 0; t < my->nticks; t++) {
		double py = map(my, my->ticks[t]);
		if (py > b->y0 + 0.5 && py < b->y1 - 0.5)
			line(r, b->x0, py, b->x1, py);
	}
}

/* Step separators, and (top_marks) their labels above the panel where they do not collide. */
static void draw_marks(struct rc *r, const struct chart_panel *p, const struct panel_box *b, const struct axis_map *mx,
                       int top_marks)
{
	double k = r->k;
	if (!p->nmarks)
		return;
	pen(r, "#9A9A9A", (r->png ? 1 : 0.8) * k, "dotted");
	/* a separator within 2 px of the last one drawn would only darken the same pixels: at thousands of
	 * steps they would fill the panel, and cost most of the chart's time */
	double last_px = -1e9;
	for (size_t m = 0; m < p->nmarks; m++) {
		double px = map(mx, p->marks[m].x);
		if (px > b->x0 + 0.5 && px < b->x1 - 0.5 && fabs(px - last_px) >= 2 * k) {
			line(r, px, b->y0, px, b->y1);
			last_px = px;
		}
	}
	if (!top_marks)
		return;
	pl_pencolorname_r(r->pl, "#555555");
	font(r, FS_MARK);
	double last_end = -1e9;
	for (size_t m = 0; m < p->nmarks; m++) {
		/* label centred between this mark and the next */
		double a = map(mx, p->marks[m].x);
		double bb = m + 1 < p->nmarks ? map(mx, p->marks[m + 1].x) : b->x1;
		double w = text_width(r, p->marks[m].label);
		double cx = (a + bb) / 2;
		if (cx - w / 2 < last_end + 4 * k || w > (bb - a) * 2.5)
			continue;
		text(r, cx, b->y1 + 4 * k, 'c', 'b', p->marks[m].label);
		last_end = cx + w / 2;
	}
}

/* The frame; a log x axis that shows 0 at its left edge gets a break in it, since 0 is not on the scale. */
static void draw_frame(struct rc *r, const struct chart_panel *p, const struct panel_box *b, const struct axis_map *mx)
{
	double k = r->k;
	pen(r, "#333333", (r->png ? 1.5 : 1) * k, "solid");
	pl_filltype_r(r->pl, 0);
	pl_fbox_r(r->pl, b->x0, b->y0, b->x1, b->y1);
	if (!(mx->zero_low && p->x.zero_at > 0))
		return;
	double xb = (map(mx, mx->lo) + map(mx, p->x.zero_at * 10)) / 2;
	for (int side = 0; side < 2; side++) {
		double yb = side ? b->y1 : b->y0;
		pen(r, "white", (r->png ? 4 : 3) * k, "solid");
		line(r, xb - 3 * k, yb, xb + 3 * k, yb);
		pen(r, "#333333", (r->png ? 1.5 : 1) * k, "solid");
		line(r, xb - 6 * k, yb - 4 * k, xb - 2 * k, yb + 4 * k);
		line(r, xb + 2 * k, yb - 4 * k, xb + 6 * k, yb + 4 * k);
	}
}

/* Ticks on both axes and their labels (y labels that would overlap the one below are left out). */
static void draw_ticks(struct rc *r, const struct chart_panel *p, const struct panel_box *b, const struct axis_map *mx,
                       const struct axis_map *my)
{
	double k = r->k;
	char buf[512];
	font(r, FS_TICK);
	pl_pencolorname_r(r->pl, "#333333");
	pen(r, "#333333", (r->png ? 1.5 : 1) * k, "solid");
	for (size_t t = 0; t < mx->nticks; t++) {
		double px = map(mx, mx->ticks[t]);
		line(r, px, b->y0, px, b->y0 - 5 * k);
	}
	pl_pencolorname_r(r->pl, "#333333");
	if (b->xlabels && !p->x.hide_labels)
		x_tick_labels(r, &p->x, mx, b->y0 - 8 * k);
	double last_top = -1e9;
	for (size_t t = 0; t < my->nticks; t++) {
		double py = map(my, my->ticks[t]);
		line(r, b->x0, py, b->x0 - 5 * k, py);
		if (!b->ylabels || py - FS_TICK * k / 2 < last_top + 2 * k)
			continue;
		tick_label(&p->y, my->ticks[t], my->lo, my->hi, buf, sizeof buf);
		text(r, b->x0 - 8 * k, py, 'r', 'c', buf);
		last_top = py + FS_TICK * k / 2;
	}
}

/* One panel in its box: grid, marks, frame, ticks and labels, axis titles, then the series on top. */
static void draw_panel(struct rc *r, const struct chart_panel *p, const struct panel_box *b, const struct axis_map *mx,
                       const struct axis_map *my, int top_marks)
{
	draw_grid(r, b, mx, my);
	draw_marks(r, p, b, mx, top_marks);
	draw_frame(r, p, b, mx);
	draw_ticks(r, p, b, mx, my);
	axis_titles(r, p, b->x0, b->x1, b->y0, b->y1, b->xtitle && !p->x.hide_labels, b->ytitle);
	if (p->bars) {
		draw_bars(r, p, mx, my);
		return;
	}
	for (size_t j = 0; j < p->nseries; j++)
		draw_series(r, p, p->series[j], mx, my);
}

/* Where draw() puts things, worked out top-down by its parts. */
struct layout {
	size_t np; /* panels drawn */
	int grid; /* small multiples, else stacked */
	double top, bottom, left, right; /* the plot area; the legend lies right of it, the note below */
	struct axis_map mx[CHART_MAXPANELS], my[CHART_MAXPANELS];
	struct panel_box box[CHART_MAXPANELS];
	struct legend_entry *leg; /* owned */
	size_t nleg;
	double legend_label_w, swatch;
};

/* Title and subtitle, top left; returns the y under them. */
static double draw_titles(struct rc *r, const struct chart *c)
{
	double W = c->width, k = r->k, y = c->height - 10 * k;
	char buf[512];
	pl_pencolorname_r(r->pl, "#111111");
	font(r, FS_TITLE);
	fit_label(r, c->title, buf, sizeof buf, W - 24 * k);
	text(r, 12 * k, y, 'l', 't', buf);
	y -= (FS_TITLE + 6) * k;
	if (c->subtitle[0]) {
		pl_pencolorname_r(r->pl, "#555555");
		font(r, FS_SUB);
		fit_label(r, c->subtitle, buf, sizeof buf, W - 24 * k);
		text(r, 12 * k, y, 'l', 't', buf);
		y -= (FS_SUB + 8) * k;
	}
	return y;
}

/* Axis ranges (a grid shares them); returns the width of the widest y tick label. */
static double axis_ranges(struct rc *r, const struct chart *c, struct layout *L)
{
	double ytick_w = 0;
	char buf[512];
	font(r, FS_TICK);
	for (size_t i = 0; i < L->np; i++) {
		if (L->grid && i > 0) {
			L->mx[i] = L->mx[0];
			L->my[i] = L->my[0];
			continue;
		}
		axis_range(&c->panel[i], L->grid ? L->np : 1, 0, &L->mx[i]);
		axis_range(&c->panel[i], L->grid ? L->np : 1, 1, &L->my[i]);
		for (size_t t = 0; t < L->my[i].nticks; t++) {
			tick_label(&c->panel[i].y, L->my[i].ticks[t], L->my[i].lo, L->my[i].hi, buf, sizeof buf);
			double w = text_width(r, buf);
			if (w > ytick_w)
				ytick_w = w;
		}
	}
	return ytick_w;
}

/* The legend's entries (every distinct labelled series with something to draw) and its width. */
static double measure_legend(struct rc *r, const struct chart *c, struct layout *L)
{
	L->nleg = legend_entries(c, &L->leg);
	font(r, FS_LEGEND);
	double max_label = c->width * 0.28;
	L->legend_label_w = 0;
	for (size_t i = 0; i < L->nleg; i++) {
		double w = text_width(r, L->leg[i].s->label);
		if (w > L->legend_label_w)
			L->legend_label_w = w;
	}
	if (L->legend_label_w > max_label)
		L->legend_label_w = max_label;
	L->swatch = 30 * r->k;
	return L->nleg ? 8 * r->k + L->swatch + 8 * r->k + L->legend_label_w + 6 * r->k : 0;
}

/* Small multiples: the panel's title above it, x tick labels under each (the gap between columns leaves
 * room for two half labels), y tick labels in the first column, one axis title each way. */
static void layout_grid(const struct rc *r, const struct chart *c, struct layout *L)
{
	double k = r->k;
	size_t np = L->np, cols = (size_t)c->cols < np ? (size_t)c->cols : np, rows = (np + cols - 1) / cols;
	double title_h = (FS_AXIS + 6) * k, hgap = 30 * k, vgap = (8 + FS_TICK + 6) * k + title_h;
	double cw = (L->right - L->left - hgap * (double)(cols - 1)) / (double)cols;
	double ch = (L->top - title_h - L->bottom - vgap * (double)(rows - 1)) / (double)rows;
	if (cw < 30 * k)
		cw = 30 * k;
	if (ch < 30 * k)
		ch = 30 * k;
	for (size_t i = 0; i < np; i++) {
		size_t row = i / cols, col = i % cols;
		struct panel_box *b = &L->box[i];
		b->x0 = L->left + (double)col * (cw + hgap);
		b->x1 = b->x0 + cw;
		b->y1 = L->top - title_h - (double)row * (ch + vgap);
		b->y0 = b->y1 - ch;
		b->xlabels = 1;
		b->ylabels = col == 0;
		b->xtitle = b->ytitle = 0;
	}
}

/* Stacked panels (at most CHART_MAXSTACK), sharing the height by their weights, each with its own axes. */
static void layout_stack(const struct rc *r, const struct chart *c, struct layout *L)
{
	double k = r->k;
	size_t np = L->np;
	double gap = 16 * k;
	double total = L->top - L->bottom - gap * (double)(np > 1 ? np - 1 : 0);
	if (total < 40 * k)
		total = 40 * k;
	double wsum = 0;
	for (size_t i = 0; i < np; i++)
		wsum += c->panel[i].weight > 0 ? c->panel[i].weight : 1;
	double top = L->top;
	for (size_t i = 0; i < np; i++) {
		double ph = total * (c->panel[i].weight > 0 ? c->panel[i].weight : 1) / wsum;
		L->box[i] = (struct panel_box){ L->left, L->right, top - ph, top, 1, 1, 1, 1 };
		top -= ph + gap;
	}
}

/* The panels in their boxes, each grid panel with its title above it; a grid's axis titles once for all. */
static void draw_panels(struct rc *r, const struct chart *c, struct layout *L)
{
	double k = r->k;
	char buf[512];
	for (size_t i = 0; i < L->np; i++) {
		const struct panel_box *b = &L->box[i];
		L->mx[i].p0 = b->x0;
		L->mx[i].p1 = b->x1;
		L->my[i].p0 = b->y0;
		L->my[i].p1 = b->y1;
	}
	for (size_t i = 0; i < L->np; i++) {
		const struct panel_box *b = &L->box[i];
		draw_panel(r, &c->panel[i], b, &L->mx[i], &L->my[i], i == 0);
		if (L->grid && c->panel[i].title[0]) {
			font(r, FS_AXIS);
			pl_pencolorname_r(r->pl, "#111111");
			fit_label(r, c->panel[i].title, buf, sizeof buf, b->x1 - b->x0);
			text(r, (b->x0 + b->x1) / 2, b->y1 + 5 * k, 'c', 'b', buf);
		}
	}
	if (!L->grid)
		return;
	double gx0 = L->box[0].x0, gx1 = L->box[0].x1, gy0 = L->box[0].y0, gy1 = L->box[0].y1;
	for (size_t i = 1; i < L->np; i++) {
		gx1 = L->box[i].x1 > gx1 ? L->box[i].x1 : gx1;
		gy0 = L->box[i].y0 < gy0 ? L->box[i].y0 : gy0;
	}
	axis_titles(r, &c->panel[0], gx0, gx1, gy0, gy1, 1, 1);
}

/* The legend, right of the plot area: a swatch of each series' line and marker and its label; many series
 * take a smaller font, and when even that does not fit, the last line says "+K more". */
static void draw_legend(struct rc *r, const struct layout *L)
{
	if (!L->nleg)
		return;
	double k = r->k;
	char buf[512];
	double lx = L->right + 16 * k, ly = L->top - 4 * k, step = (FS_LEGEND + 8) * k;
	double avail = L->top - L->bottom + (FS_NOTE + 8) * k, fs = FS_LEGEND;
	size_t shown = L->nleg;
	if (step * (double)L->nleg > avail) {
		step = avail / (double)L->nleg;
		fs = step / k - 3;
		if (fs > FS_LEGEND)
			fs = FS_LEGEND; /* never larger than the width was measured at */
		if (fs < 8) {
			fs = 8;
			step = (fs + 3) * k;
			shown = (size_t)(avail / step) - 1;
		}
	}
	font(r, fs);
	for (size_t e = 0; e < L->nleg; e++) {
		const struct chart_series *s = L->leg[e].s;
		if (e == shown) {
			char more[64];
			snprintf(more, sizeof more, "+%zu more (see the table)", L->nleg - shown);
			pl_pencolorname_r(r->pl, "#555555");
			text(r, lx, ly - step / 2, 'l', 'c', more);
			break;
		}
		double cy = ly - step / 2;
		if (L->leg[e].p->bars) { /* a filled square of the bar's colour */
			double h = fs * k * 0.45;
			pen(r, "white", (r->png ? 1 : 0.6) * k, "solid");
			pl_filltype_r(r->pl, 1);
			pl_fillcolorname_r(r->pl, bar_colours[s->style % CHART_NBARCOLOURS]);
			pl_fbox_r(r->pl, lx + L->swatch / 2 - h, cy - h, lx + L->swatch / 2 + h, cy + h);
			pl_filltype_r(r->pl, 0);
		} else {
			pen(r, colours[s->style % CHART_NSTYLES], series_width(r), dashes[s->dash % CHART_NDASHES]);
			line(r, lx, cy, lx + L->swatch, cy);
			if (shows_markers(r, L->leg[e].p, s, L->mx[0].p1 - L->mx[0].p0))
				draw_marker(r, s->style, s->dash, 0, lx + L->swatch / 2, cy);
		}
		pl_pencolorname_r(r->pl, "#222222");
		fit_label(r, s->label, buf, sizeof buf, L->legend_label_w + 1);
		text(r, lx + L->swatch + 8 * k, cy, 'l', 'c', buf);
		ly -= step;
	}
}

/* The chart's note, bottom left. */
static void draw_note(struct rc *r, const struct chart *c)
{
	if (!c->note[0])
		return;
	char buf[512];
	font(r, FS_NOTE);
	pl_pencolorname_r(r->pl, "#666666");
	fit_label(r, c->note, buf, sizeof buf, c->width - 24 * r->k);
	text(r, 12 * r->k, 8 * r->k, 'l', 'b', buf);
}

/* The whole chart: titles, then the margins measured from the widest y tick label and the legend, the
 * panels in them, the legend and the note. */
static void draw(struct rc *r, const struct chart *c)
{
	double W = c->width, k = r->k;
	struct layout L;
	memset(&L, 0, sizeof L);
	L.np = panels_drawn(c);
	L.grid = c->cols > 0;
	pl_bgcolorname_r(r->pl, "white");
	pl_erase_r(r->pl);
	pl_joinmod_r(r->pl, "round");
	pl_capmod_r(r->pl, "round");

	double y = draw_titles(r, c);
	L.top = y - (c->panel[0].nmarks > 0 ? (FS_MARK + 8) * k : 6 * k);
	double ytick_w = axis_ranges(r, c, &L);
	double legend_w = measure_legend(r, c, &L);
	L.left = 10 * k + FS_AXIS * k + 10 * k + ytick_w + 8 * k;
	L.right = W - (L.nleg ? legend_w + 16 * k : 22 * k);
	L.bottom = 10 * k + (c->note[0] ? (FS_NOTE + 8) * k : 0) + FS_AXIS * k + 8 * k + FS_TICK * k + 10 * k;
	if (L.right - L.left < 80 * k)
		L.right = L.left + 80 * k; /* absurdly small bitmaps: keep drawing, never divide by zero */
	if (L.grid)
		layout_grid(r, c, &L);
	else
		layout_stack(r, c, &L);
	draw_panels(r, c, &L);
	draw_legend(r, &L);
	free(L.leg);
	draw_note(r, c);
}

/* XML text for the SVG's <title> and <desc>, in libplot's ISO-8859-1 like the rest of its output (the whole
 * file is transcoded to UTF-8 afterwards). */
static void xml_latin1(FILE *f, const char *utf8)
{
	char l1[1024];
	chart_latin1(utf8, l1, sizeof l1);
	for (const char *p = l1; *p; p++) {
		switch (*p) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*p, f);
		}
	}
}

/* libplot's SVG has a fixed <title>, <desc> and a size in inches: give it the chart's title, a list of its
 * series and a size in pixels. Output is still ISO-8859-1. */
static void svg_retitle(const struct chart *c, const char *buf, size_t len, FILE *f)
{
	const char *t0 = strstr(buf, "<title>"), *t1 = t0 ? strstr(t0, "</desc>") : NULL;
	const char *svg = strstr(buf, "<svg ");
	const char *w0 = svg ? strstr(svg, " width=\"") : NULL, *h1 = w0 ? strstr(w0, " viewBox=") : NULL;
	if (!t0 || !t1 || !w0 || !h1 || !(w0 < h1 && h1 < t0)) {
		fwrite(buf, 1, len, f);
		return;
	}
	fwrite(buf, 1, (size_t)(w0 - buf), f);
	fprintf(f, " width=\"%d\" height=\"%d\"", c->width, c->height);
	fwrite(h1, 1, (size_t)(t0 - h1), f);
	fputs("<title>", f);
	xml_latin1(f, c->title);
	fputs("</title>\n<desc>", f);
	struct legend_entry *leg;
	size_t nleg = legend_entries(c, &leg);
	fprintf(f, "%zu series", nleg);
	for (size_t i = 0; i < nleg; i++) {
		fputs(i ? " | " : ": ", f);
		xml_latin1(f, leg[i].s->label);
	}
	free(leg);
	fputs("</desc>", f);
	t1 += strlen("</desc>");
	fwrite(t1, 1, len - (size_t)(t1 - buf), f);
}

/*
 * libplot writes every SVG in ISO-8859-1 and says so in its XML declaration; browsers show such a file
 * opened on its own but not inside an <img>. Latin-1 maps byte for byte onto the first 256 code points,
 * so the file becomes UTF-8 by writing each byte >= 0x80 as two bytes, and the declaration says UTF-8.
 * Returns 0, or -1 with errbuf filled when the file is not what libplot writes (no declaration naming
 * ISO-8859-1 at the start), rather than mislabel it.
 */
int chart_svg_to_utf8(const char *buf, size_t len, FILE *f, char *errbuf, size_t errlen)
{
	static const char decl_start[] = "<?xml ", latin1[] = "encoding=\"ISO-8859-1\"";
	const char *end = len >= sizeof decl_start - 1 && memcmp(buf, decl_start, sizeof decl_start - 1) == 0
	                          ? memmem(buf, len, "?>", 2)
	                          : NULL;
	const char *enc = end ? memmem(buf, (size_t)(end - buf), latin1, sizeof latin1 - 1) : NULL;
	if (!enc) {
		snprintf(errbuf, errlen, "libplot wrote an SVG without the XML declaration \"%s\" it is expected to write",
		         latin1);
		return -1;
	}
	fwrite(buf, 1, (size_t)(enc - buf), f);
	fputs("encoding=\"UTF-8\"", f);
	for (const unsigned char *p = (const unsigned char *)enc + sizeof latin1 - 1; p < (const unsigned char *)buf + len;
	     p++) {
		if (*p < 0x80) {
			fputc(*p, f);
		} else {
			fputc(0xC0 | (*p >> 6), f);
			fputc(0x80 | (*p & 0x3F), f);
		}
	}
	return 0;
}

/* The SVG libplot drew, with the chart's title, series list and pixel size, in UTF-8. */
static int write_svg(const struct chart *c, const char *buf, size_t len, FILE *f, char *errbuf, size_t errlen)
{
	char *l1 = NULL;
	size_t l1len = 0;
	FILE *ms = open_memstream(&l1, &l1len);
	if (!ms) {
		snprintf(errbuf, errlen, "could not allocate memory: %s", strerror(errno));
		return -1;
	}
	svg_retitle(c, buf, len, ms);
	if (fclose(ms) != 0 || !l1) {
		snprintf(errbuf, errlen, "could not allocate memory: %s", strerror(errno));
		free(l1);
		return -1;
	}
	int rc = chart_svg_to_utf8(l1, l1len, f, errbuf, errlen);
	free(l1);
	return rc;
}

int chart_render(const struct chart *c, const char *path, enum chart_format fmt, char *errbuf, size_t errlen)
{
	char *mem = NULL;
	size_t memlen = 0;
	FILE *ms = open_memstream(&mem, &memlen);
	if (!ms) {
		snprintf(errbuf, errlen, "could not allocate memory: %s", strerror(errno));
		return -1;
	}
	char size[64], page[128];
	snprintf(size, sizeof size, "%dx%d", c->width, c->height);
	/* SVG takes its size from PAGESIZE; 96 px to the inch as browsers count */
	snprintf(page, sizeof page, "letter,xsize=%.4fin,ysize=%.4fin,xorigin=0in,yorigin=0in", c->width / 96.0,
	         c->height / 96.0);
	plPlotterParams *pp = pl_newplparams();
	/* every parameter these plotters read, so none falls back to an environment variable */
	pl_setplparam(pp, "BITMAPSIZE", size);
	pl_setplparam(pp, "PAGESIZE", page);
	pl_setplparam(pp, "BG_COLOR", "white");
	pl_setplparam(pp, "EMULATE_COLOR", "no");
	pl_setplparam(pp, "INTERLACE", "no");
	pl_setplparam(pp, "TRANSPARENT_COLOR", "none");
	pl_setplparam(pp, "ROTATION", "0");
	pl_setplparam(pp, "MAX_LINE_LENGTH", "500");
	pl_setplparam(pp, "GIF_ANIMATION", "no");
	pl_setplparam(pp, "PNM_PORTABLE", "no");
	pl_setplparam(pp, "META_PORTABLE", "no");
	pl_setplparam(pp, "VANISH_ON_DELETE", "no");
	plPlotter *pl = pl_newpl_r(fmt == CHART_PNG ? "png" : "svg", NULL, ms, stderr, pp);
	if (!pl || pl_openpl_r(pl) < 0) {
		snprintf(errbuf, errlen, "could not create a %s plotter", fmt == CHART_PNG ? "PNG" : "SVG");
		if (pl)
			pl_deletepl_r(pl);
		pl_deleteplparams(pp);
		fclose(ms);
		free(mem);
		return -1;
	}
	pl_fspace_r(pl, 0, 0, c->width, c->height);
	double k = sqrt((double)c->width * c->height / (800.0 * 480.0));
	if (k < 0.6)
		k = 0.6;
	if (k > 3)
		k = 3;
	struct rc r = { pl, fmt == CHART_PNG, k, fmt == CHART_PNG ? "HersheySans" : "Helvetica" };
	draw(&r, c);
	int prc = pl_closepl_r(pl);
	pl_deletepl_r(pl);
	pl_deleteplparams(pp);
	if (fclose(ms) != 0 || prc < 0 || !mem) {
		snprintf(errbuf, errlen, "libplot failed to draw \"%s\"", path);
		free(mem);
		return -1;
	}
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *f = fopen(tmp, "wb");
	if (!f) {
		snprintf(errbuf, errlen, "could not create \"%s\": %s", tmp, strerror(errno));
		free(mem);
		return -1;
	}
	int svgerr = 0;
	if (fmt == CHART_SVG)
		svgerr = write_svg(c, mem, memlen, f, errbuf, errlen);
	else
		fwrite(mem, 1, memlen, f);
	free(mem);
	int werr = ferror(f);
	if (svgerr) {
		fclose(f);
		remove(tmp);
		return -1;
	}
	if (fclose(f) != 0 || werr) {
		snprintf(errbuf, errlen, "could not write \"%s\": %s", tmp, strerror(errno ? errno : EIO));
		remove(tmp);
		return -1;
	}
	if (rename(tmp, path) != 0) {
		snprintf(errbuf, errlen, "could not rename \"%s\": %s", tmp, strerror(errno));
		remove(tmp);
		return -1;
	}
	return 0;
}

#ifdef __SANITIZE_ADDRESS__
/* libplot 2.6 leaks a little on every plotter (its own allocations and libpng's info struct; a minimal
 * program shows the same): known and bounded, so leak checking in sanitizer builds skips those libraries
 * instead of failing every test that draws a chart. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libplot.so\nleak:libpng16.so\n";
}
const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
	return "print_suppressions=0";
}
#endif
