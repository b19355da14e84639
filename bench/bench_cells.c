// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark's table of cells: the options' matrix crossed with what
 * the device and IOMMU mode offer, each cell named for results files.
 */
#include <stdio.h>
#include <string.h>

#include "libvfio/assert.h"
#include "bench_cells.h"
#include "libvfio/mmap.h"
#include "libvfio/page_levels.h"
#include "libvfio/vfio_pci_device.h"

int vfio_bench_state_parse(const char *s)
{
	if (!strcmp(s, "fresh"))
		return VFIO_BENCH_FRESH;
	if (!strcmp(s, "prefaulted"))
		return VFIO_BENCH_PREFAULTED;
	return vfio_err(-EINVAL, "unknown state '%s' (fresh, prefaulted)", s);
}

static const char *size_name(uint64_t size, char *buf, size_t len)
{
	if (!(size % SZ_1G))
		snprintf(buf, len, "%lluG", (unsigned long long)(size / SZ_1G));
	else if (!(size % (1 << 20)))
		snprintf(buf, len, "%lluM", (unsigned long long)(size >> 20));
	else
		snprintf(buf, len, "%lluK", (unsigned long long)(size >> 10));
	return buf;
}

static const char *cell_kind(const struct vfio_bench_cell *c)
{
	if (c->bar)
		return c->file ? "dmabuf" : vfio_map_policy_name(c->policy);
	return c->file ? "memfd-file" : vfio_backing_name(c->backing);
}

static const char *state_name(enum vfio_bench_state s)
{
	return s == VFIO_BENCH_FRESH ? "fresh" : "prefaulted";
}

/* What the results file says of the cell, before it runs. */
static void describe(const struct vfio_bench_cell *c,
		     struct vfio_cell_result *r)
{
	char sz[24];

	memset(r, 0, sizeof(*r));
	r->want_faults = -1;
	r->iommu_entries = -1;
	r->node = c->node;
	r->measured_node = -1;
	r->size = c->size;
	snprintf(r->api, sizeof(r->api), "%s", vfio_iommu_mode_short(c->mode));
	snprintf(r->backing, sizeof(r->backing), "%s",
		 c->bar ? "bar" : vfio_backing_name(c->backing));
	snprintf(r->policy, sizeof(r->policy), "%s",
		 c->bar ? vfio_map_policy_name(c->policy) : "");
	snprintf(r->state, sizeof(r->state), "%s", state_name(c->state));
	snprintf(r->name, sizeof(r->name), "%s/%s%s/%s/%s%s", r->api,
		 c->bar ? "bar-" : "", cell_kind(c),
		 size_name(c->size, sz, sizeof(sz)), r->state,
		 c->remote ? "/remote" : "");
}

static void add_cell(struct vfio_bench_table *tab,
		     const struct vfio_bench_target *t, bool bar, bool file,
		     int kind, enum vfio_bench_state st, uint64_t size)
{
	struct vfio_bench_cell *c;

	if (tab->nr_cells == VFIO_RESULTS_MAX_CELLS)
		VFIO_FAIL("more than %d cells", VFIO_RESULTS_MAX_CELLS);
	c = &tab->cells[tab->nr_cells];
	c->mode = t->mode;
	c->bar = bar;
	c->file = file;
	c->backing = bar ? 0 : kind;
	c->policy = bar ? kind : 0;
	c->state = st;
	c->size = size;
	c->node = bar ? -1 : t->node;
	c->remote = false;
	c->res = &tab->results.cells[tab->nr_cells++];
	describe(c, c->res);
	tab->results.nr_cells = tab->nr_cells;
}

/* A memory cell on the local node, and its twin on the remote one if any. */
static void add_placed(struct vfio_bench_table *tab,
		       const struct vfio_bench_target *t, int backing,
		       enum vfio_bench_state st, uint64_t size)
{
	struct vfio_bench_cell *c;

	add_cell(tab, t, false, false, backing, st, size);
	if (t->remote < 0)
		return;
	add_cell(tab, t, false, false, backing, st, size);
	c = &tab->cells[tab->nr_cells - 1];
	c->node = t->remote;
	c->remote = true;
	describe(c, c->res);
}

static void add_bar_cells(struct vfio_bench_table *tab,
			  const struct vfio_bench_matrix *m,
			  const struct vfio_bench_target *t, bool native)
{
	uint64_t size = t->bar >= 0 ? t->dev->bars[t->bar].size : 0;
	unsigned int st = m->bar_states ? m->states : 1U << VFIO_BENCH_FRESH;
	int k, s;

	if (size < vfio_page_size())
		return;
	size = align_up(size, vfio_page_size());
	/* iommufd maps a BAR only by its dma-buf. */
	if (native && m->policies) {
		add_cell(tab, t, true, true, 0, VFIO_BENCH_FRESH, size);
		return;
	}
	for (k = 0; k < VFIO_MAP_NR_POLICIES; k++)
		for (s = VFIO_BENCH_FRESH; s <= VFIO_BENCH_PREFAULTED; s++)
			if ((m->policies & 1U << k) && (st & 1U << s))
				add_cell(tab, t, true, false, k, s, size);
}

/*
 * The 4 KiB and PMD backings beside hugetlb1g at its size, prefaulted
 * only: a fresh 1 GiB of 4 KiB pages costs seconds per repetition under
 * TCG, a prefaulted one is touched once per cell (bench_run.c).  Local
 * node only: the remote twin of hugetlb1g says what NUMA costs.
 */
static void add_pud_row(struct vfio_bench_table *tab,
			const struct vfio_bench_matrix *m,
			const struct vfio_bench_target *t)
{
	static const int beside[] = { VFIO_BACKING_ANON_4K, VFIO_BACKING_THP };
	size_t i;

	if (!m->pud_size || !(m->backings & 1U << VFIO_BACKING_HUGETLB_1G) ||
	    !(m->states & 1U << VFIO_BENCH_PREFAULTED))
		return;
	for (i = 0; i < ARRAY_SIZE(beside); i++)
		if (m->backings & 1U << beside[i])
			add_cell(tab, t, false, false, beside[i],
				 VFIO_BENCH_PREFAULTED, m->pud_size);
}

void vfio_bench_cells_add(struct vfio_bench_table *tab,
			  const struct vfio_bench_matrix *m,
			  const struct vfio_bench_target *t)
{
	bool native = t->iommu->mode->iommufd;
	int k, s;

	for (k = 0; k < VFIO_BACKING_NR; k++)
		for (s = VFIO_BENCH_FRESH; s <= VFIO_BENCH_PREFAULTED; s++)
			if ((m->backings & 1U << k) && (m->states & 1U << s))
				add_placed(tab, t, k, s,
					   k == VFIO_BACKING_HUGETLB_1G && m->pud_size ?
					   m->pud_size : m->size);
	add_pud_row(tab, m, t);
	/* iommufd maps a memfd by file too. */
	if (native && (m->backings & 1U << VFIO_BACKING_MEMFD))
		add_cell(tab, t, false, true, VFIO_BACKING_MEMFD,
			 VFIO_BENCH_FRESH, m->size);
	add_bar_cells(tab, m, t, native);
}
