/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * drivers/net_iommu: paired ports forward through every backend and copy
 * mode; faulting DMA drops and counts; dma_map of external memory; memory
 * events; bad devargs; restart; close gives the heap back.
 */
#define ALLOW_EXPERIMENTAL_API	/* rte_dev_dma_map() */

#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <ethdev_driver.h>
#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_memory.h>

#include <uiommu.h>

#include "net_iommu.h"
#include "uiommu_net_iommu.h"
#include "uiommu_test.h"

#define NB_MBUF		4096
#define BURST		32
#define HDR_LEN		NET_IOMMU_HDR_LEN

static struct rte_mempool *mp;

/* The suite's EAL: uiommu_test.h's, with IOVA as VA so that DPDK memory
 * has IOVAs under --no-huge. */
static void
suite_init(void)
{
	char lcores[16], prefix[64];
	char *argv[] = {
		"test_net_iommu", "--no-huge", "-m", "512", "--no-pci",
		"--no-telemetry", "-l", lcores, "--no-shconf",
		"--iova-mode=va", "--log-level=lib.eal:error", prefix,
	};

	snprintf(lcores, sizeof(lcores), "%d", test_first_allowed_cpu());
	snprintf(prefix, sizeof(prefix), "--file-prefix=uiommu_test_%d",
		 (int)getpid());
	cr_assert_geq(rte_eal_init(RTE_DIM(argv), argv), 0,
		      "rte_eal_init: %s", rte_strerror(rte_errno));
	mp = rte_pktmbuf_pool_create("test_mbufs", NB_MBUF, 0, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	cr_assert_not_null(mp);
}

static void
suite_fini(void)
{
	rte_mempool_free(mp);
	test_eal_cleanup();
}

TestSuite(net_iommu, .init = suite_init, .fini = suite_fini);

static uint16_t
port_id_of(const char *name)
{
	uint16_t pid;

	cr_assert_eq(rte_eth_dev_get_port_by_name(name, &pid), 0,
		     "no port %s", name);
	return pid;
}

static uint16_t
port_create(const char *name, const char *args)
{
	cr_assert_eq(rte_vdev_init(name, args), 0, "rte_vdev_init(%s, %s)",
		     name, args);
	return port_id_of(name);
}

static void
port_setup(uint16_t pid)
{
	struct rte_eth_conf conf = { 0 };

	cr_assert_eq(rte_eth_dev_configure(pid, 1, 1, &conf), 0);
	cr_assert_eq(rte_eth_rx_queue_setup(pid, 0, 256, SOCKET_ID_ANY, NULL,
					    mp), 0);
	cr_assert_eq(rte_eth_tx_queue_setup(pid, 0, 256, SOCKET_ID_ANY, NULL),
		     0);
}

/* Two ports named net_iommu_a/_b, each the other's peer, started; @args
 * for both, @args_a for a only. */
static void
pair_create2(const char *args, const char *args_a_only, uint16_t *a,
	     uint16_t *b)
{
	char args_a[256], args_b[256];

	snprintf(args_a, sizeof(args_a), "peer=net_iommu_b,%s%s", args,
		 args_a_only);
	snprintf(args_b, sizeof(args_b), "peer=net_iommu_a,%s", args);
	*a = port_create("net_iommu_a", args_a);
	*b = port_create("net_iommu_b", args_b);
	port_setup(*a);
	port_setup(*b);
	cr_assert_eq(rte_eth_dev_start(*a), 0);
	cr_assert_eq(rte_eth_dev_start(*b), 0);
}

static void
pair_create(const char *args, uint16_t *a, uint16_t *b)
{
	pair_create2(args, "", a, b);
}

static void
pair_destroy(void)
{
	cr_assert_eq(rte_vdev_uninit("net_iommu_a"), 0);
	cr_assert_eq(rte_vdev_uninit("net_iommu_b"), 0);
	cr_assert_eq(rte_eth_dev_count_avail(), 0);
}

/* A 4 KiB-aligned page of DPDK memory. */
static void *
page_buf(void)
{
	void *p = rte_malloc(NULL, SZ_4K, SZ_4K);

	cr_assert_not_null(p);
	return p;
}

static uint8_t
pattern(uint32_t seq, uint32_t i)
{
	return (uint8_t)(seq * 7 + i);
}

static struct rte_mbuf *
pkt_make(uint32_t seq, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	uint8_t *d;
	uint16_t i;

	cr_assert_not_null(m);
	d = (uint8_t *)rte_pktmbuf_append(m, len);
	cr_assert_not_null(d);
	for (i = 0; i < len; i++)
		d[i] = pattern(seq, i);
	return m;
}

static uint16_t
pkt_len_of(uint32_t seq)
{
	return (uint16_t)(60 + (seq * 97) % 1400);
}

/* Check a received packet: length always; bytes the device moved. */
static void
pkt_check(const struct rte_mbuf *m, uint32_t seq, bool copy)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	uint16_t len = pkt_len_of(seq), n, i;

	cr_assert_eq(m->pkt_len, len, "packet %u: length %u, sent %u", seq,
		     m->pkt_len, len);
	n = copy ? len : RTE_MIN(len, (uint16_t)HDR_LEN);
	for (i = 0; i < n; i++)
		cr_assert_eq(d[i], pattern(seq, i),
			     "packet %u byte %u: %#x, sent %#x", seq, i, d[i],
			     pattern(seq, i));
}

static uint64_t
xstat(uint16_t pid, const char *name)
{
	uint64_t id, v;

	cr_assert_eq(rte_eth_xstats_get_id_by_name(pid, name, &id), 0,
		     "no xstat %s", name);
	cr_assert_eq(rte_eth_xstats_get_by_id(pid, &id, &v, 1), 1);
	return v;
}

/* Send @n packets from @a, receive them on @b in order, check them. */
static void
forward(uint16_t a, uint16_t b, uint32_t first, uint32_t n, bool copy)
{
	uint32_t sent = 0, recvd = 0, spins = 0;

	while (recvd < n) {
		struct rte_mbuf *pkts[BURST];
		uint16_t k, nb = RTE_MIN(n - sent, (uint32_t)BURST), tx;

		for (k = 0; k < nb; k++)
			pkts[k] = pkt_make(first + sent + k, pkt_len_of(first +
					   sent + k));
		tx = rte_eth_tx_burst(a, 0, pkts, nb);
		rte_pktmbuf_free_bulk(pkts + tx, nb - tx);
		sent += tx;
		nb = rte_eth_rx_burst(b, 0, pkts, BURST);
		for (k = 0; k < nb; k++) {
			pkt_check(pkts[k], first + recvd, copy);
			recvd++;
		}
		rte_pktmbuf_free_bulk(pkts, nb);
		cr_assert_lt(++spins, 100000, "stuck: %u sent, %u received",
			     sent, recvd);
	}
}

static void
forward_case(const char *iommu, int copy, unsigned int pasid)
{
	struct rte_eth_stats sa, sb;
	char args[128];
	uint16_t a, b;
	const uint32_t n = 1000;

	snprintf(args, sizeof(args), "iommu=%s,copy=%d,pasid=%u", iommu, copy,
		 pasid);
	pair_create(args, &a, &b);
	forward(a, b, 0, n, copy);
	forward(b, a, n, n, copy);
	cr_assert_eq(rte_eth_stats_get(a, &sa), 0);
	cr_assert_eq(rte_eth_stats_get(b, &sb), 0);
	cr_assert_eq(sa.opackets, n);
	cr_assert_eq(sb.ipackets, n);
	cr_assert_eq(sb.opackets, n);
	cr_assert_eq(sa.ipackets, n);
	cr_assert_eq(sa.oerrors + sa.ierrors + sb.oerrors + sb.ierrors, 0);
	if (strcmp(iommu, "off") == 0) {
		cr_assert_null(uiommu_net_iommu_domain(a));
		cr_assert_eq(rte_errno, ENOENT);
		cr_assert_eq(xstat(a, "tx_q0_iotlb_hits") +
			     xstat(b, "rx_q0_iotlb_hits"), 0);
	} else {
		/* Every DMA went through the IOMMU: a buffer read and a
		 * buffer write per packet and direction, plus descriptor
		 * pages (one translation covers a page within a burst),
		 * mostly IOTLB hits. */
		cr_assert_geq(xstat(a, "iommu_hw_hits") +
			      xstat(a, "iommu_hw_misses"), 4ull * n);
		cr_assert_gt(xstat(a, "iommu_hw_hits"),
			     xstat(a, "iommu_hw_misses"));
		cr_assert_eq(xstat(a, "iommu_hw_faults"), 0);
		/* Per queue: every translation on this lcore was some
		 * queue's device DMA, each one buffer per packet at least. */
		cr_assert_geq(xstat(a, "tx_q0_iotlb_hits") +
			      xstat(a, "tx_q0_iotlb_misses"), n);
		cr_assert_geq(xstat(b, "rx_q0_iotlb_hits") +
			      xstat(b, "rx_q0_iotlb_misses"), n);
		cr_assert_eq(xstat(a, "tx_q0_iotlb_hits") +
			     xstat(a, "rx_q0_iotlb_hits") +
			     xstat(b, "tx_q0_iotlb_hits") +
			     xstat(b, "rx_q0_iotlb_hits"),
			     xstat(a, "iommu_hw_hits"));
		cr_assert_eq(xstat(a, "tx_q0_iotlb_misses") +
			     xstat(a, "rx_q0_iotlb_misses") +
			     xstat(b, "tx_q0_iotlb_misses") +
			     xstat(b, "rx_q0_iotlb_misses"),
			     xstat(a, "iommu_hw_misses"));
		cr_assert_leq(xstat(a, "tx_q0_iotlb_walks"),
			      xstat(a, "tx_q0_iotlb_misses"));
	}
	pair_destroy();
}

Test(net_iommu, forward_off_copy0) { forward_case("off", 0, 0); }
Test(net_iommu, forward_off_copy1) { forward_case("off", 1, 0); }
Test(net_iommu, forward_direct_copy0) { forward_case("direct", 0, 0); }
Test(net_iommu, forward_direct_copy1_pasid) { forward_case("direct", 1, 3); }
Test(net_iommu, forward_smmu_copy0) { forward_case("smmu", 0, 0); }
Test(net_iommu, forward_smmu_copy1_pasid) { forward_case("smmu", 1, 1); }
Test(net_iommu, forward_vtd_copy0_pasid) { forward_case("vtd", 0, 2); }
Test(net_iommu, forward_vtd_copy1) { forward_case("vtd", 1, 0); }

/* Without a peer: TX is sunk, RX frames of pkt_len are generated. */
Test(net_iommu, no_peer_generates_and_sinks)
{
	struct rte_mbuf *pkts[BURST];
	struct rte_eth_stats st;
	uint16_t pid, nb, i;

	pid = port_create("net_iommu0", "iommu=vtd,pkt_len=128");
	port_setup(pid);
	cr_assert_eq(rte_eth_dev_start(pid), 0);
	nb = rte_eth_rx_burst(pid, 0, pkts, BURST);
	cr_assert_eq(nb, BURST);
	for (i = 0; i < nb; i++) {
		cr_assert_eq(pkts[i]->pkt_len, 128);
		cr_assert_eq(rte_pktmbuf_mtod(pkts[i], uint8_t *)[0], 0xff);
	}
	cr_assert_eq(rte_eth_tx_burst(pid, 0, pkts, nb), nb);
	cr_assert_eq(rte_eth_stats_get(pid, &st), 0);
	cr_assert_eq(st.opackets, BURST);
	cr_assert_eq(st.obytes, BURST * 128);
	cr_assert_eq(rte_vdev_uninit("net_iommu0"), 0);
}

/* ---------------------------------------------------- external memory -- */

#define EXT_LEN		(64 * 1024)

static void
ext_free_cb(void *addr __rte_unused, void *opaque __rte_unused)
{
}

struct ext_mem {
	void *va;
	uint64_t iova;
	struct rte_mbuf_ext_shared_info *shinfo;
	uint16_t buf_len;
};

static void
ext_mem_init(struct ext_mem *e)
{
	e->va = mmap(NULL, EXT_LEN, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(e->va, MAP_FAILED);
	/* The device's view of it: IOVA = VA, as DPDK memory here. */
	e->iova = (uintptr_t)e->va;
	cr_assert_eq(rte_extmem_register(e->va, EXT_LEN, NULL, 0, SZ_4K), 0,
		     "rte_extmem_register: %s", rte_strerror(rte_errno));
	e->buf_len = 2048;
	e->shinfo = rte_pktmbuf_ext_shinfo_init_helper(e->va, &e->buf_len,
						       ext_free_cb, NULL);
	cr_assert_not_null(e->shinfo);
}

static void
ext_mem_fini(struct ext_mem *e)
{
	cr_assert_eq(rte_extmem_unregister(e->va, EXT_LEN), 0);
	munmap(e->va, EXT_LEN);
}

/* A packet whose buffer is the external memory. */
static struct rte_mbuf *
ext_pkt(struct ext_mem *e, uint32_t seq)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	uint16_t len = pkt_len_of(seq), i;
	uint8_t *d;

	cr_assert_not_null(m);
	rte_mbuf_ext_refcnt_set(e->shinfo, 1);
	rte_pktmbuf_attach_extbuf(m, e->va, e->iova, e->buf_len, e->shinfo);
	m->data_off = 0;
	d = (uint8_t *)rte_pktmbuf_append(m, len);
	cr_assert_not_null(d);
	for (i = 0; i < len; i++)
		d[i] = pattern(seq, i);
	return m;
}

/* Send one packet, return how many arrived (0 or 1). */
static unsigned int
send_one(uint16_t a, uint16_t b, struct rte_mbuf *m, uint32_t seq)
{
	struct rte_mbuf *rx[BURST];
	uint16_t nb;

	cr_assert_eq(rte_eth_tx_burst(a, 0, &m, 1), 1);
	nb = rte_eth_rx_burst(b, 0, rx, BURST);
	cr_assert_leq(nb, 1);
	if (nb == 1)
		pkt_check(rx[0], seq, true);
	rte_pktmbuf_free_bulk(rx, nb);
	return nb;
}

static struct rte_device *
port_device(uint16_t pid)
{
	struct rte_eth_dev_info info;

	cr_assert_eq(rte_eth_dev_info_get(pid, &info), 0);
	return info.device;
}

Test(net_iommu, unmapped_buffer_faults_is_dropped_and_port_runs)
{
	struct uiommu_fault f;
	struct rte_eth_stats st;
	struct ext_mem e;
	uint16_t a, b;

	ext_mem_init(&e);
	pair_create2("iommu=smmu", ",sid=0x42", &a, &b);
	cr_assert_eq(send_one(a, b, ext_pkt(&e, 1), 1), 0);
	cr_assert_eq(xstat(a, "tx_q0_dma_fault_buf"), 1);
	cr_assert_eq(rte_eth_stats_get(a, &st), 0);
	cr_assert_eq(st.oerrors, 1);
	cr_assert_eq(st.opackets, 0);
	/* The hw recorded it, with the device's StreamID. */
	cr_assert_eq(uiommu_hw_fault_read(uiommu_net_iommu_hw(a), &f, 1), 1);
	cr_assert_eq(f.iova, e.iova);
	cr_assert_eq(f.sid, 0x42);
	cr_assert_eq(f.reason, UIOMMU_FAULT_TRANSLATION);
	cr_assert_eq(f.access, UIOMMU_ACCESS_READ);
	/* The port keeps running. */
	forward(a, b, 100, 50, true);
	pair_destroy();
	ext_mem_fini(&e);
}

/* The hw's faults by reason, one xstat each ("fault_<reason>", '-' made
 * '_'): an unmapped TX buffer counts as a translation fault and as nothing
 * else. */
Test(net_iommu, fault_reason_xstats_count_the_reason)
{
	static const char *const others[] = {
		"fault_permission", "fault_access_flag", "fault_address_size",
		"fault_bad_device", "fault_bad_pasid", "fault_blocked",
		"fault_bad_table", "fault_not_an_online_lcore",
	};
	struct ext_mem e;
	unsigned int i;
	uint16_t a, b;

	ext_mem_init(&e);
	pair_create("iommu=vtd", &a, &b);
	cr_assert_eq(xstat(a, "fault_translation"), 0);
	cr_assert_eq(send_one(a, b, ext_pkt(&e, 1), 1), 0);
	cr_assert_eq(xstat(a, "fault_translation"), 1);
	/* Shared by the ports of the hw, like iommu_hw_*. */
	cr_assert_eq(xstat(b, "fault_translation"), 1);
	for (i = 0; i < RTE_DIM(others); i++)
		cr_assert_eq(xstat(a, others[i]), 0, "%s", others[i]);
	pair_destroy();
	ext_mem_fini(&e);
}

Test(net_iommu, dma_map_makes_external_memory_usable_and_unmap_faults)
{
	struct ext_mem e;
	uint16_t a, b;

	ext_mem_init(&e);
	pair_create("iommu=vtd,pasid=1", &a, &b);
	cr_assert_eq(rte_dev_dma_map(port_device(a), e.va, e.iova, EXT_LEN),
		     0, "rte_dev_dma_map: %s", rte_strerror(rte_errno));
	cr_assert_eq(uiommu_iova_to_va(uiommu_net_iommu_domain(a), e.iova),
		     e.va);
	cr_assert_eq(send_one(a, b, ext_pkt(&e, 7), 7), 1);
	cr_assert_eq(xstat(a, "tx_q0_dma_fault_buf"), 0);
	cr_assert_eq(rte_dev_dma_unmap(port_device(a), e.va, e.iova,
				       EXT_LEN), 0);
	cr_assert_eq(send_one(a, b, ext_pkt(&e, 8), 8), 0);
	cr_assert_eq(xstat(a, "tx_q0_dma_fault_buf"), 1);
	/* Mapping it again after the fault works again. */
	cr_assert_eq(rte_dev_dma_map(port_device(a), e.va, e.iova, EXT_LEN),
		     0);
	cr_assert_eq(send_one(a, b, ext_pkt(&e, 9), 9), 1);
	pair_destroy();
	ext_mem_fini(&e);
}

/* Unmapping the page of a posted RX buffer from the domain makes the
 * device's write fault: dropped, counted as an rx buffer fault, the buffer
 * replaced, the port goes on. */
Test(net_iommu, rx_buffer_unmapped_by_app_faults_write)
{
	const struct net_iommu_rxq *rxq;
	struct rte_mbuf *m;
	uint16_t a, b;
	uint64_t iova;

	pair_create("iommu=direct", &a, &b);
	/* The buffer b's device fills next (internal header). */
	rxq = rte_eth_devices[b].data->rx_queues[0];
	m = rxq->sw_ring[rxq->dev & rxq->mask];
	iova = RTE_ALIGN_FLOOR(rte_mbuf_data_iova_default(m), SZ_4K);
	cr_assert_eq(uiommu_unmap(uiommu_net_iommu_domain(b), iova, SZ_4K),
		     0);
	/* Whatever lands in that page faults; the rest is received. */
	{
		struct rte_mbuf *pkts[BURST];
		uint32_t i, rx = 0;

		for (i = 0; i < 4 * 256; i++) {
			struct rte_mbuf *p = pkt_make(i, 60);
			uint16_t nb;

			if (rte_eth_tx_burst(a, 0, &p, 1) != 1)
				rte_pktmbuf_free(p);
			nb = rte_eth_rx_burst(b, 0, pkts, BURST);
			rx += nb;
			rte_pktmbuf_free_bulk(pkts, nb);
		}
		cr_assert_gt(rx, 0);
	}
	cr_assert_gt(xstat(b, "rx_q0_dma_fault_buf"), 0);
	cr_assert_eq(xstat(b, "iommu_hw_faults"),
		     xstat(b, "rx_q0_dma_fault_buf"));
	cr_assert_eq(uiommu_map(uiommu_net_iommu_domain(b), iova,
				(void *)(uintptr_t)iova, SZ_4K, PROT_RW), 0);
	pair_destroy();
}

/*
 * The device reads descriptors through one translation per ring page and
 * burst, and writes completions through another: an unmapped TX ring page
 * is a descriptor fault, a read-only RX ring page lets the device read
 * descriptors but not complete them; both drop the packet, count the
 * fault, and forwarding resumes once the pages are mapped back.
 */
Test(net_iommu, ring_pages_fault_by_access_and_recover)
{
	const struct net_iommu_txq *txq;
	const struct net_iommu_rxq *rxq;
	struct uiommu_domain *da, *db;
	uint64_t tx_iova, rx_iova;
	void *tx_va, *rx_va;
	uint16_t a, b;

	pair_create("iommu=smmu", &a, &b);
	da = uiommu_net_iommu_domain(a);
	db = uiommu_net_iommu_domain(b);
	txq = rte_eth_devices[a].data->tx_queues[0];
	rxq = rte_eth_devices[b].data->rx_queues[0];
	/* The page of the descriptor each device half uses next. */
	tx_iova = RTE_ALIGN_FLOOR(txq->ring_iova + (txq->tail & txq->mask) *
				  sizeof(struct net_iommu_desc), SZ_4K);
	rx_iova = RTE_ALIGN_FLOOR(rxq->ring_iova + (rxq->dev & rxq->mask) *
				  sizeof(struct net_iommu_desc), SZ_4K);
	tx_va = uiommu_iova_to_va(da, tx_iova);
	rx_va = uiommu_iova_to_va(db, rx_iova);
	cr_assert(tx_va != NULL && rx_va != NULL);

	cr_assert_eq(uiommu_unmap(da, tx_iova, SZ_4K), 0);
	cr_assert_eq(send_one(a, b, pkt_make(1, 100), 1), 0);
	cr_assert_eq(xstat(a, "tx_q0_dma_fault_desc"), 1);
	cr_assert_eq(uiommu_map(da, tx_iova, tx_va, SZ_4K, PROT_RW), 0);

	cr_assert_eq(uiommu_unmap(db, rx_iova, SZ_4K), 0);
	cr_assert_eq(uiommu_map(db, rx_iova, rx_va, SZ_4K, UIOMMU_PROT_READ),
		     0);
	cr_assert_eq(send_one(a, b, pkt_make(2, 100), 2), 0);
	cr_assert_eq(xstat(b, "rx_q0_dma_fault_cpl"), 1,
		     "a completion was written through a read-only page");
	cr_assert_eq(xstat(b, "rx_q0_dma_fault_desc"), 0);
	cr_assert_eq(uiommu_unmap(db, rx_iova, SZ_4K), 0);
	cr_assert_eq(uiommu_map(db, rx_iova, rx_va, SZ_4K, PROT_RW), 0);

	forward(a, b, 10, 300, true);
	pair_destroy();
}

/* An IOVA window for the application: clear of every memseg's IOVA and
 * of the memseg lists' VA reservations (IOVA as VA here), below 2^47,
 * mappable in a port's domain next to the PMD's mappings. */
static int
seg_in_window(const struct rte_memseg_list *msl, const struct rte_memseg *ms,
	      void *arg)
{
	const uint64_t *w = arg;	/* base, len */

	RTE_SET_USED(msl);
	return ms->iova < w[0] + w[1] && w[0] < ms->iova + ms->len;
}

static int
msl_in_window(const struct rte_memseg_list *msl, void *arg)
{
	const uint64_t *w = arg;
	uint64_t base = (uintptr_t)msl->base_va;

	return base < w[0] + w[1] && w[0] < base + msl->len;
}

Test(net_iommu, iova_window_is_clear_of_dpdk_memory)
{
	uint64_t w[2] = { 0, 64 * SZ_4K }, iova = 42;
	struct uiommu_domain *dom;
	void *pg = page_buf();
	uint16_t a, b;

	cr_assert_eq(uiommu_net_iommu_iova_window(w[1], &w[0]), 0);
	cr_assert_eq(w[0] & (SZ_1G - 1), 0);
	cr_assert_leq(w[0] + w[1], 1ull << 47);
	cr_assert_eq(rte_memseg_walk(seg_in_window, w), 0);
	cr_assert_eq(rte_memseg_list_walk(msl_in_window, w), 0);
	/* Usable: maps next to the PMD's, in every backend's domain. */
	pair_create("iommu=vtd", &a, &b);
	dom = uiommu_net_iommu_domain(a);
	cr_assert_eq(uiommu_map(dom, w[0], pg, SZ_4K, PROT_RW), 0);
	cr_assert_eq(uiommu_unmap(dom, w[0], SZ_4K), 0);
	pair_destroy();
	rte_free(pg);

	cr_assert_eq(uiommu_net_iommu_iova_window(0, &iova), -EINVAL);
	cr_assert_eq(uiommu_net_iommu_iova_window(SZ_4K + 1, &iova),
		     -EINVAL);
	cr_assert_eq(uiommu_net_iommu_iova_window(SZ_4K, NULL), -EINVAL);
	cr_assert_eq(uiommu_net_iommu_iova_window(1ull << 47, &iova),
		     -EINVAL);
	cr_assert_eq(iova, 42, "a failed call wrote the result");
}

/* -------------------------------------------------------- memory events -- */

Test(net_iommu, mem_event_maps_and_unmaps)
{
	struct uiommu_domain *dom;
	uint16_t pid;
	uint8_t *buf;
	uint64_t iova;

	pid = port_create("net_iommu0", "iommu=smmu");
	port_setup(pid);
	cr_assert_eq(rte_eth_dev_start(pid), 0);
	dom = uiommu_net_iommu_domain(pid);
	buf = rte_malloc(NULL, 2 * SZ_4K, SZ_4K);
	cr_assert_not_null(buf);
	iova = rte_malloc_virt2iova(buf);
	cr_assert_eq(uiommu_iova_to_va(dom, iova), buf,
		     "DPDK memory mapped at start, IOVA = DPDK IOVA");
	/* --no-huge memory never changes: EAL's events, synthesized. */
	net_iommu_mem_event_cb(RTE_MEM_EVENT_FREE, buf, SZ_4K, NULL);
	cr_assert_null(uiommu_iova_to_va(dom, iova));
	cr_assert_eq(uiommu_iova_to_va(dom, iova + SZ_4K), buf + SZ_4K);
	net_iommu_mem_event_cb(RTE_MEM_EVENT_ALLOC, buf, SZ_4K, NULL);
	cr_assert_eq(uiommu_iova_to_va(dom, iova), buf);
	rte_free(buf);
	/* Stopped: DPDK memory is unmapped, events leave the domain be. */
	cr_assert_eq(rte_eth_dev_stop(pid), 0);
	cr_assert_null(uiommu_iova_to_va(dom, iova));
	net_iommu_mem_event_cb(RTE_MEM_EVENT_ALLOC, buf, SZ_4K, NULL);
	cr_assert_null(uiommu_iova_to_va(dom, iova));
	cr_assert_eq(rte_vdev_uninit("net_iommu0"), 0);
}

/* ---------------------------------------------------- invalidation mode -- */

static struct uiommu_domain_inv_stats
dom_inv_stats(uint16_t pid)
{
	struct uiommu_domain_inv_stats st;

	cr_assert_eq(uiommu_domain_inv_stats(uiommu_net_iommu_domain(pid),
					     &st), 0);
	return st;
}

/* A memory free event of @npages pages on a started port: the pages are
 * unreachable when the callback returns, in every mode; strict pays a sync
 * per page, batch and lazy one for the event. */
static void
mem_free_event_case(const char *args, bool deferred)
{
	const unsigned int npages = 8;
	struct uiommu_domain_inv_stats st0, st;
	struct uiommu_domain *dom;
	uint16_t pid;
	uint8_t *buf;
	uint64_t iova;
	unsigned int i;

	pid = port_create("net_iommu0", args);
	port_setup(pid);
	cr_assert_eq(rte_eth_dev_start(pid), 0);
	dom = uiommu_net_iommu_domain(pid);
	buf = rte_malloc(NULL, npages * SZ_4K, SZ_4K);
	cr_assert_not_null(buf);
	iova = rte_malloc_virt2iova(buf);
	st0 = dom_inv_stats(pid);
	net_iommu_mem_event_cb(RTE_MEM_EVENT_FREE, buf, npages * SZ_4K, NULL);
	st = dom_inv_stats(pid);
	for (i = 0; i < npages; i++)
		cr_assert_null(uiommu_iova_to_va(dom, iova + i * SZ_4K));
	cr_assert_eq(st.pending, 0, "%s: the event returned with unmaps "
		     "pending", args);
	if (deferred) {
		cr_assert_eq(st.deferred - st0.deferred, npages);
		cr_assert_eq(st.flushes - st0.flushes, 1, "%s", args);
	} else {
		cr_assert_eq(st.unmaps - st0.unmaps, npages);
		cr_assert_eq(st.deferred, 0);
	}
	net_iommu_mem_event_cb(RTE_MEM_EVENT_ALLOC, buf, npages * SZ_4K,
			       NULL);
	rte_free(buf);
	cr_assert_eq(rte_eth_dev_stop(pid), 0);
	cr_assert_eq(dom_inv_stats(pid).pending, 0);
	cr_assert_eq(rte_vdev_uninit("net_iommu0"), 0);
}

Test(net_iommu, mode_strict_syncs_each_page)
{
	mem_free_event_case("iommu=smmu,mode=strict", false);
}

Test(net_iommu, mode_batch_syncs_once_per_event)
{
	mem_free_event_case("iommu=smmu,mode=batch", true);
}

Test(net_iommu, mode_lazy_syncs_once_per_event)
{
	mem_free_event_case("iommu=vtd,mode=lazy", true);
}

/* mode=lazy: the application's unmaps in the port's domain defer, and the
 * PMD's alarm flushes them within a few periods while the port runs;
 * rte_dev_dma_unmap() is complete when it returns. */
Test(net_iommu, mode_lazy_alarm_flushes_app_unmaps)
{
	struct uiommu_domain_inv_stats st;
	struct uiommu_domain *dom;
	struct ext_mem e;
	uint16_t a, b;
	unsigned int waited;

	ext_mem_init(&e);
	pair_create("iommu=direct,mode=lazy", &a, &b);
	dom = uiommu_net_iommu_domain(a);
	cr_assert_eq(uiommu_map(dom, 1ull << 40, e.va, SZ_4K, PROT_RW), 0);
	cr_assert_eq(uiommu_unmap(dom, 1ull << 40, SZ_4K), 0);
	st = dom_inv_stats(a);
	cr_assert_eq(st.deferred, 1);
	for (waited = 0; dom_inv_stats(a).pending != 0; waited++) {
		cr_assert_lt(waited, 200, "no flush in 1 s");
		rte_delay_us_sleep(5000);
	}
	cr_assert_geq(dom_inv_stats(a).flush_explicit, 1);

	cr_assert_eq(rte_dev_dma_map(port_device(a), e.va, e.iova, EXT_LEN),
		     0);
	cr_assert_eq(send_one(a, b, ext_pkt(&e, 1), 1), 1);
	cr_assert_eq(rte_dev_dma_unmap(port_device(a), e.va, e.iova,
				       EXT_LEN), 0);
	cr_assert_eq(dom_inv_stats(a).pending, 0);
	cr_assert_eq(send_one(a, b, ext_pkt(&e, 2), 2), 0,
		     "reached external memory after rte_dev_dma_unmap()");
	cr_assert_eq(xstat(a, "tx_q0_dma_fault_buf"), 1);
	/* Stopping and starting again re-arms the alarm. */
	cr_assert_eq(rte_eth_dev_stop(a), 0);
	cr_assert_eq(rte_eth_dev_start(a), 0);
	forward(a, b, 10, 50, true);
	pair_destroy();
	ext_mem_fini(&e);
}

/* ------------------------------------------------------------ devargs -- */

Test(net_iommu, bad_devargs_fail_and_leave_no_port)
{
	static const char *const bad[] = {
		"foo=1", "iommu=amd", "iommu", "sid=70000", "sid=abc",
		"sid=-1", "pasid=1048576", "mode=fast", "mode=", "pkt_len=59", "pkt_len=9001", "copy=2",
		"copy=", "iommu=smmu,bar=2",
	};
	struct test_heap before, after;
	unsigned int i;

	/* EAL's ethdev data comes on the first port: warm it up. */
	port_create("net_iommu0", "iommu=off");
	cr_assert_eq(rte_vdev_uninit("net_iommu0"), 0);
	before = test_heap_now();
	for (i = 0; i < RTE_DIM(bad); i++) {
		cr_assert_neq(rte_vdev_init("net_iommu0", bad[i]), 0,
			      "devargs '%s' accepted", bad[i]);
		cr_assert_eq(rte_eth_dev_count_avail(), 0, "'%s'", bad[i]);
	}
	after = test_heap_now();
	test_heap_assert_eq(before, after, "failed probes");
}

Test(net_iommu, duplicate_sid_fails_probe)
{
	port_create("net_iommu0", "iommu=smmu,sid=7");
	cr_assert_neq(rte_vdev_init("net_iommu1", "iommu=smmu,sid=7"), 0);
	cr_assert_eq(rte_eth_dev_count_avail(), 1);
	/* Another backend is another hw: the same StreamID is fine. */
	port_create("net_iommu1", "iommu=vtd,sid=7");
	cr_assert_eq(rte_vdev_uninit("net_iommu0"), 0);
	cr_assert_eq(rte_vdev_uninit("net_iommu1"), 0);
}

/* ---------------------------------------------------- restart and close -- */

Test(net_iommu, restart_keeps_forwarding)
{
	uint16_t a, b;
	int round;

	pair_create("iommu=smmu,pasid=4", &a, &b);
	for (round = 0; round < 3; round++) {
		forward(a, b, round * 100, 100, true);
		cr_assert_eq(rte_eth_dev_stop(a), 0);
		cr_assert_eq(rte_eth_dev_stop(b), 0);
		cr_assert_eq(rte_eth_dev_start(b), 0);
		cr_assert_eq(rte_eth_dev_start(a), 0);
	}
	forward(a, b, 1000, 100, true);
	pair_destroy();
}

Test(net_iommu, close_releases_heap)
{
	struct test_heap before, after;
	uint16_t a, b;

	port_create("net_iommu0", "iommu=off");
	cr_assert_eq(rte_vdev_uninit("net_iommu0"), 0);
	before = test_heap_now();
	pair_create("iommu=vtd,copy=1", &a, &b);
	forward(a, b, 0, 300, true);
	pair_destroy();
	pair_create("iommu=smmu,pasid=1", &a, &b);
	forward(a, b, 0, 300, true);
	pair_destroy();
	after = test_heap_now();
	test_heap_assert_eq(before, after, "two pairs opened and closed");
	test_assert_no_malloc_leaks();
}

/* --------------------------------------------------------------- lcores -- */

struct unmap_job {
	struct uiommu_domain *dom;
	uint64_t iova;
	int rc;
};

static void *
unmap_thread(void *arg)
{
	struct unmap_job *j = arg;

	j->rc = uiommu_unmap(j->dom, j->iova, SZ_4K);
	return NULL;
}

/* An unmap of a page of DPDK memory on another thread; the page itself. */
static uint8_t *
unmap_start(uint16_t a, struct unmap_job *j, pthread_t *t)
{
	uint8_t *buf = page_buf();

	j->dom = uiommu_net_iommu_domain(a);
	j->iova = rte_malloc_virt2iova(buf);
	j->rc = 1;
	cr_assert_eq(pthread_create(t, NULL, unmap_thread, j), 0);
	return buf;
}

static int
join_within(pthread_t t, int secs)
{
	struct timespec deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += secs;
	return pthread_timedjoin_np(t, NULL, &deadline);
}

static void
unmap_finish(struct unmap_job *j, uint8_t *buf)
{
	cr_assert_eq(j->rc, 0);
	cr_assert_eq(uiommu_map(j->dom, j->iova, buf, SZ_4K, PROT_RW), 0);
	rte_free(buf);
}

/* testpmd's "stop": an lcore that bursted and then idles must not hold up
 * a strict unmap made by another thread. */
Test(net_iommu, idle_lcore_does_not_block_unmap)
{
	struct unmap_job j;
	pthread_t t;
	uint16_t a, b;
	uint8_t *buf;

	pair_create("iommu=smmu", &a, &b);
	forward(a, b, 0, 100, true);
	buf = unmap_start(a, &j, &t);
	cr_assert_eq(join_within(t, 10), 0, "unmap waits for an idle lcore");
	unmap_finish(&j, buf);
	forward(a, b, 100, 100, true);
	pair_destroy();
}

/* A held lcore stays online between bursts: a strict unmap on another
 * thread waits for its next burst, and completes with it. */
Test(net_iommu, held_lcore_holds_unmap_until_its_next_burst)
{
	struct unmap_job j;
	pthread_t t;
	uint16_t a, b;
	uint8_t *buf;

	pair_create("iommu=smmu", &a, &b);
	cr_assert_eq(uiommu_net_iommu_lcore_hold(), 0);
	cr_assert_eq(uiommu_net_iommu_lcore_hold(), 0, "hold is idempotent");
	forward(a, b, 0, 100, true);
	buf = unmap_start(a, &j, &t);
	rte_delay_us_sleep(200 * 1000);
	cr_assert_eq(pthread_tryjoin_np(t, NULL), EBUSY,
		     "unmap did not wait for the held lcore");
	cr_assert_eq(j.rc, 1);
	/* The quiescent report at the end of a burst lets it through. */
	forward(a, b, 100, 1, true);
	cr_assert_eq(join_within(t, 10), 0, "unmap still waits after a burst");
	unmap_finish(&j, buf);
	forward(a, b, 101, 100, true);
	cr_assert_eq(uiommu_net_iommu_lcore_release(), 0);
	pair_destroy();
}

/* Release pauses the lcore at once: the unmap needs no further burst. */
Test(net_iommu, released_lcore_does_not_block_unmap)
{
	struct unmap_job j;
	pthread_t t;
	uint16_t a, b;
	uint8_t *buf;

	pair_create("iommu=vtd", &a, &b);
	cr_assert_eq(uiommu_net_iommu_lcore_hold(), 0);
	forward(a, b, 0, 100, true);
	cr_assert_eq(uiommu_net_iommu_lcore_release(), 0);
	cr_assert_eq(uiommu_net_iommu_lcore_release(), 0,
		     "release is idempotent");
	buf = unmap_start(a, &j, &t);
	cr_assert_eq(join_within(t, 10), 0, "unmap waits for a released lcore");
	unmap_finish(&j, buf);
	/* Bursts pause it again at their end. */
	forward(a, b, 100, 100, true);
	buf = unmap_start(a, &j, &t);
	cr_assert_eq(join_within(t, 10), 0, "unmap waits for a paused lcore");
	unmap_finish(&j, buf);
	pair_destroy();
}

/* Held, an unmap made on the lcore itself completes (the core reports for
 * it) and takes effect before it returns; stop and close on the held
 * lcore do not wait for it either, and the hold outlives the ctx. */
Test(net_iommu, held_lcore_unmaps_itself_and_outlives_the_ports)
{
	struct unmap_job j;
	struct ext_mem e;
	pthread_t t;
	uint16_t a, b;
	uint8_t *buf;

	ext_mem_init(&e);
	pair_create("iommu=direct,pasid=1", &a, &b);
	cr_assert_eq(uiommu_net_iommu_lcore_hold(), 0);
	cr_assert_eq(rte_dev_dma_map(port_device(a), e.va, e.iova, EXT_LEN),
		     0);
	cr_assert_eq(send_one(a, b, ext_pkt(&e, 1), 1), 1);
	cr_assert_eq(rte_dev_dma_unmap(port_device(a), e.va, e.iova,
				       EXT_LEN), 0);
	cr_assert_eq(send_one(a, b, ext_pkt(&e, 2), 2), 0);
	cr_assert_eq(xstat(a, "tx_q0_dma_fault_buf"), 1);
	pair_destroy();		/* the ctx goes with the last port */
	pair_create("iommu=smmu", &a, &b);
	forward(a, b, 0, 100, true);
	buf = unmap_start(a, &j, &t);
	rte_delay_us_sleep(100 * 1000);
	cr_assert_eq(pthread_tryjoin_np(t, NULL), EBUSY,
		     "the hold did not outlive the ctx");
	forward(a, b, 100, 1, true);
	cr_assert_eq(join_within(t, 10), 0);
	unmap_finish(&j, buf);
	cr_assert_eq(uiommu_net_iommu_lcore_release(), 0);
	pair_destroy();
	ext_mem_fini(&e);
}

static void *
hold_thread(void *arg)
{
	int *rc = arg;

	rc[0] = uiommu_net_iommu_lcore_hold();
	rc[1] = uiommu_net_iommu_lcore_release();
	return NULL;
}

Test(net_iommu, hold_refused_off_an_lcore)
{
	int rc[2] = { 1, 1 };
	pthread_t t;

	cr_assert_eq(pthread_create(&t, NULL, hold_thread, rc), 0);
	cr_assert_eq(pthread_join(t, NULL), 0);
	cr_assert_eq(rc[0], -EINVAL);
	cr_assert_eq(rc[1], -EINVAL);
}
