/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The emulated NIC's data path: the driver half and the device half of each
 * queue, both run by the burst functions on the calling lcore. Every access
 * the device half makes to descriptors or buffers goes through
 * uiommu_translate() with the queue's port handle (see net_iommu.h).
 */
#include <errno.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "net_iommu.h"

/* Descriptor fields the RX device writes back: pkt_len and status. */
#define RX_CPL_OFF	offsetof(struct net_iommu_desc, pkt_len)
#define RX_CPL_LEN	(sizeof(uint16_t) * 2)

/*
 * The lcore's part in the ctx, per burst: see "Lcores" in net_iommu.h.
 * Only called for ports with an IOMMU, so net_iommu_sh.ctx is set and
 * stays set while the port lives.
 */
static __rte_always_inline int
lcore_enter(unsigned int lcore_id)
{
	struct net_iommu_lcore *lc;

	if (unlikely(lcore_id >= RTE_MAX_LCORE))
		return -EINVAL;
	lc = &net_iommu_sh.lcore[lcore_id];
	if (unlikely(!lc->online))
		return net_iommu_lcore_online_slow(lcore_id);
	/* Held, and online since its last burst's quiescent report. */
	if (lc->running)
		return 0;
	uiommu_lcore_resume_lc(uiommu_ctx_fast(net_iommu_sh.ctx), lcore_id);
	lc->running = true;
	return 0;
}

static __rte_always_inline void
lcore_leave(unsigned int lcore_id)
{
	if (net_iommu_sh.lcore[lcore_id].held)
		uiommu_lcore_quiescent_lc(uiommu_ctx_fast(net_iommu_sh.ctx),
					  lcore_id);
	else
		net_iommu_lcore_pause(lcore_id);
}

/*
 * The device half's DMA during one burst of one queue: a run of
 * translations through the queue's port (uiommu_xlate_begin(), which
 * reads the lcore's IOTLB and the port's configuration once for the
 * burst), or with iommu=off (run.port NULL) the DPDK IOVAs themselves. It
 * lives on the burst's stack, between lcore_enter() and lcore_leave().
 */
struct dev_dma {
	struct uiommu_xlate run;
	bool iova_as_va;
};

static __rte_always_inline void
dev_dma_begin(struct dev_dma *dd, const struct uiommu_port *port,
	      bool iova_as_va, unsigned int lcore_id)
{
	dd->iova_as_va = iova_as_va;
	if (port != NULL)
		uiommu_xlate_begin(&dd->run, port, lcore_id);
	else	/* all of it set, so that no path reads it uninitialised */
		dd->run = (struct uiommu_xlate){ .port = NULL };
}

static __rte_always_inline void
dev_dma_end(struct dev_dma *dd)
{
	if (dd->run.port != NULL)
		uiommu_xlate_end(&dd->run);
}

/* A device access: through the IOMMU, or (iommu=off) the DPDK IOVA. */
static __rte_always_inline void *
dma_va(struct dev_dma *dd, uint64_t iova, uint32_t len, uint32_t access)
{
	if (dd->run.port == NULL)
		return likely(dd->iova_as_va) ? (void *)(uintptr_t)iova :
			rte_mem_iova2virt(iova);
	return uiommu_xlate(&dd->run, iova, len, access);
}

/*
 * The device's descriptor fetches within one burst. A NIC reads and writes
 * back descriptors in blocks, not one DMA per descriptor; here one
 * translation covers the rest of a 4 KiB IOVA page of the ring, and the
 * descriptors after it in the page reuse it. That is within the core's
 * contract: a VA that uiommu_translate() returned stays valid until the
 * lcore's next quiescent state, which comes only at the end of the burst
 * (lcore_leave()). One cache per access type, since each is checked on
 * its own; it lives on the stack of one burst and never outlives it.
 */
struct desc_page {
	uint64_t iova;		/* page base; UINT64_MAX: none */
	uint8_t *va;		/* host VA of that base */
};

#define DESC_PAGE	4096u
#define DESC_PAGE_NONE	{ .iova = UINT64_MAX, .va = NULL }

static __rte_always_inline void *
desc_va(struct desc_page *c, struct dev_dma *dd, uint64_t iova,
	uint32_t access)
{
	uint64_t off = iova & (DESC_PAGE - 1);
	uint8_t *va;

	if (likely((iova - off) == c->iova))
		return c->va + off;
	va = dma_va(dd, iova, DESC_PAGE - off, access);
	if (unlikely(va == NULL))
		return NULL;
	c->iova = iova - off;
	c->va = va - off;
	return va;
}

/*
 * Per-queue IOTLB accounting: the lcore's counters on the queue's hw
 * before the device half, and the difference after it, added to the
 * queue's. A few loads per burst.
 */
struct iotlb_mark {
	const struct uiommu_lcore_stats *st;	/* NULL: nothing to count */
	uint64_t hits, misses, walks;
};

static __rte_always_inline void
iotlb_mark(struct iotlb_mark *m, const struct uiommu_port *dma,
	   unsigned int lcore_id)
{
	const struct uiommu_lcore_stats *st = dma != NULL ?
		uiommu_port_lcore_stats(dma, lcore_id) : NULL;

	*m = (struct iotlb_mark){ .st = st };
	if (st != NULL) {
		m->hits = st->hits;
		m->misses = st->misses;
		m->walks = st->walks;
	}
}

static __rte_always_inline void
iotlb_account(const struct iotlb_mark *m, struct net_iommu_qstats *qs)
{
	if (m->st == NULL)
		return;
	qs->iotlb_hits += m->st->hits - m->hits;
	qs->iotlb_misses += m->st->misses - m->misses;
	qs->iotlb_walks += m->st->walks - m->walks;
}

void
net_iommu_frame_fill(struct net_iommu_frame *f, uint32_t len, uint32_t seed)
{
	static const uint8_t hdr[RTE_ETHER_HDR_LEN] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff,	/* broadcast */
		0x02, 0x00, 0x00, 0x00, 0x00, 0x01,	/* local source */
		0x88, 0xb5,	/* IEEE 802 local experimental */
	};
	uint32_t i;

	memcpy(f->data, hdr, sizeof(hdr));
	for (i = sizeof(hdr); i < len; i++)
		f->data[i] = (uint8_t)(seed + i);
	f->len = len;
	f->copied = len;
}

/* ------------------------------------------------------------------ TX -- */

/* Device half: send what the driver posted, head to tail. */
static void
txq_device(struct net_iommu_txq *txq, unsigned int lcore_id)
{
	/* Written by the peer's control path (wires_connect()): this
	 * acquire pairs with its release store, so the wire's ring and pool
	 * are seen initialised. */
	struct net_iommu_wire *wire =
		__atomic_load_n(&txq->peer_wire, __ATOMIC_ACQUIRE);
	struct desc_page rd = DESC_PAGE_NONE;
	struct dev_dma dd;

	dev_dma_begin(&dd, txq->dma, txq->iova_as_va, lcore_id);
	while (txq->head != txq->tail) {
		uint64_t desc_iova = txq->ring_iova +
			(uint64_t)(txq->head & txq->mask) * sizeof(*txq->ring);
		const struct net_iommu_desc *d;
		struct net_iommu_frame *f;
		uint32_t len, n;
		const void *buf;

		d = desc_va(&rd, &dd, desc_iova, UIOMMU_ACCESS_READ);
		if (unlikely(d == NULL)) {
			txq->stats.faults[NET_IOMMU_DMA_TX_DESC]++;
			goto drop;
		}
		len = d->buf_len;
		buf = dma_va(&dd, d->buf_iova, len, UIOMMU_ACCESS_READ);
		if (unlikely(buf == NULL)) {
			txq->stats.faults[NET_IOMMU_DMA_TX_BUF]++;
			goto drop;
		}
		n = txq->copy ? len : RTE_MIN(len, (uint32_t)NET_IOMMU_HDR_LEN);
		if (wire == NULL) {
			/* Sink: the read still happens. */
			memcpy(txq->scratch->data, buf, n);
		} else {
			/* Back-pressure: the descriptor stays posted. */
			if (unlikely(rte_mempool_get(wire->pool,
						     (void **)&f) != 0))
				break;
			memcpy(f->data, buf, n);
			f->len = len;
			f->copied = n;
			if (unlikely(rte_ring_mp_enqueue(wire->ring, f) != 0)) {
				rte_mempool_put(wire->pool, f);
				break;
			}
		}
		txq->stats.packets++;
		txq->stats.bytes += len;
		txq->head++;
		continue;
drop:
		txq->stats.errors++;
		txq->head++;
	}
	dev_dma_end(&dd);
}

/* Driver half: free the mbufs of descriptors the device is done with. */
static void
txq_clean(struct net_iommu_txq *txq)
{
	struct rte_mbuf *done[64];
	unsigned int n = 0;

	while (txq->clean != txq->head) {
		done[n++] = txq->sw_ring[txq->clean & txq->mask];
		txq->clean++;
		if (n == RTE_DIM(done)) {
			rte_pktmbuf_free_bulk(done, n);
			n = 0;
		}
	}
	if (n != 0)
		rte_pktmbuf_free_bulk(done, n);
}

uint16_t
net_iommu_tx_burst(void *q, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct net_iommu_txq *txq = q;
	unsigned int lcore_id = rte_lcore_id();
	struct iotlb_mark mark;
	uint16_t room, i;

	if (txq->dma != NULL && unlikely(lcore_enter(lcore_id) != 0)) {
		txq->stats.nolcore_bursts++;
		return 0;
	}
	room = txq->nb_desc - (uint16_t)(txq->tail - txq->clean);
	nb_pkts = RTE_MIN(nb_pkts, room);
	for (i = 0; i < nb_pkts; i++) {
		struct rte_mbuf *m = pkts[i];
		struct net_iommu_desc *d = &txq->ring[txq->tail & txq->mask];

		/* One buffer per packet: multi-segment TX is not offered
		 * (no RTE_ETH_TX_OFFLOAD_MULTI_SEGS), a descriptor pointing
		 * at the first segment would send a truncated frame. */
		if (unlikely(m->nb_segs != 1)) {
			txq->stats.errors++;
			rte_pktmbuf_free(m);
			continue;
		}
		d->buf_iova = rte_pktmbuf_iova(m);
		d->buf_len = m->data_len;
		txq->sw_ring[txq->tail & txq->mask] = m;
		txq->tail++;
	}
	iotlb_mark(&mark, txq->dma, lcore_id);
	txq_device(txq, lcore_id);
	iotlb_account(&mark, &txq->stats);
	txq_clean(txq);
	if (txq->dma != NULL)
		lcore_leave(lcore_id);
	return nb_pkts;
}

void
net_iommu_txq_drop_all(struct net_iommu_txq *txq)
{
	/* Posted but never sent: as if the device had dropped them. */
	txq->head = txq->tail;
	txq_clean(txq);
}

/* ------------------------------------------------------------------ RX -- */

/* The next frame for this queue: from the peer, or generated. */
static __rte_always_inline struct net_iommu_frame *
rxq_frame(struct net_iommu_rxq *rxq)
{
	void *f;

	if (rxq->gen != NULL)
		return rxq->gen;
	if (rte_ring_sc_dequeue(rxq->wire.ring, &f) != 0)
		return NULL;
	return f;
}

static __rte_always_inline void
rxq_frame_done(struct net_iommu_rxq *rxq, struct net_iommu_frame *f)
{
	if (f != rxq->gen)
		rte_mempool_put(rxq->wire.pool, f);
}

/* Write a completion {len, status} into the descriptor at @desc_iova. */
static __rte_always_inline int
rxq_complete(struct net_iommu_rxq *rxq, struct desc_page *wr,
	     struct dev_dma *dd, uint64_t desc_iova, uint16_t len,
	     uint16_t status)
{
	uint16_t *cpl = desc_va(wr, dd, desc_iova + RX_CPL_OFF,
				UIOMMU_ACCESS_WRITE);

	if (unlikely(cpl == NULL)) {
		rxq->stats.faults[NET_IOMMU_DMA_RX_CPL]++;
		return -EFAULT;
	}
	/* pkt_len, then status: the driver reads them in program order on
	 * this same lcore, no barrier needed. */
	cpl[0] = len;
	cpl[1] = status;
	rxq->dev++;
	return 0;
}

/*
 * Device half: write up to @budget frames into posted buffers. A buffer
 * the device cannot write (fault) or that is too small consumes its
 * descriptor with an error completion, so that the driver replaces it and
 * one bad buffer does not stall the queue; a descriptor the device cannot
 * read stays where it is (the ring itself is unreachable).
 */
static void
rxq_device(struct net_iommu_rxq *rxq, unsigned int lcore_id, uint16_t budget)
{
	struct desc_page rd = DESC_PAGE_NONE, wr = DESC_PAGE_NONE;
	struct dev_dma dd;

	dev_dma_begin(&dd, rxq->dma, rxq->iova_as_va, lcore_id);
	while (rxq->dev != rxq->post && budget != 0) {
		uint64_t desc_iova = rxq->ring_iova +
			(uint64_t)(rxq->dev & rxq->mask) * sizeof(*rxq->ring);
		struct net_iommu_frame *f = rxq_frame(rxq);
		const struct net_iommu_desc *d;
		void *buf;

		if (f == NULL)
			break;
		budget--;
		d = desc_va(&rd, &dd, desc_iova, UIOMMU_ACCESS_READ);
		if (unlikely(d == NULL)) {
			rxq->stats.faults[NET_IOMMU_DMA_RX_DESC]++;
			goto done;
		}
		if (unlikely(f->len > d->buf_len)) {
			rxq->stats.oversize++;
			goto error;
		}
		buf = dma_va(&dd, d->buf_iova, f->len, UIOMMU_ACCESS_WRITE);
		if (unlikely(buf == NULL)) {
			rxq->stats.faults[NET_IOMMU_DMA_RX_BUF]++;
			goto error;
		}
		memcpy(buf, f->data, rxq->copy ? f->copied :
		       RTE_MIN(f->copied, (uint32_t)NET_IOMMU_HDR_LEN));
		rxq_complete(rxq, &wr, &dd, desc_iova, (uint16_t)f->len,
			     NET_IOMMU_DESC_DD);
		goto done;
error:
		rxq_complete(rxq, &wr, &dd, desc_iova, 0,
			     NET_IOMMU_DESC_DD | NET_IOMMU_DESC_ERR);
done:
		rxq_frame_done(rxq, f);
	}
	dev_dma_end(&dd);
}

static __rte_always_inline void
rxq_post_one(struct net_iommu_rxq *rxq, struct rte_mbuf *m)
{
	struct net_iommu_desc *d = &rxq->ring[rxq->post & rxq->mask];

	m->data_off = RTE_PKTMBUF_HEADROOM;
	d->buf_iova = rte_mbuf_data_iova_default(m);
	d->buf_len = (uint16_t)RTE_MIN(rte_pktmbuf_tailroom(m),
				       (uint16_t)UINT16_MAX);
	d->pkt_len = 0;
	d->status = 0;
	rxq->sw_ring[rxq->post & rxq->mask] = m;
	rxq->post++;
}

/* Driver half: post fresh buffers into every empty slot. */
static int
rxq_refill(struct net_iommu_rxq *rxq)
{
	struct rte_mbuf *m[64];
	uint16_t empty = rxq->nb_desc - (uint16_t)(rxq->post - rxq->reap);

	while (empty != 0) {
		uint16_t n = RTE_MIN(empty, (uint16_t)RTE_DIM(m)), i;

		if (rte_pktmbuf_alloc_bulk(rxq->mb_pool, m, n) != 0) {
			rxq->stats.nombuf++;
			return -ENOMEM;
		}
		for (i = 0; i < n; i++)
			rxq_post_one(rxq, m[i]);
		empty -= n;
	}
	return 0;
}

int
net_iommu_rxq_post_all(struct net_iommu_rxq *rxq)
{
	return rxq_refill(rxq);
}

void
net_iommu_rxq_drop_all(struct net_iommu_rxq *rxq)
{
	while (rxq->reap != rxq->post) {
		rte_pktmbuf_free(rxq->sw_ring[rxq->reap & rxq->mask]);
		rxq->reap++;
	}
	rxq->dev = rxq->post;
}

uint16_t
net_iommu_rx_burst(void *q, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct net_iommu_rxq *rxq = q;
	unsigned int lcore_id = rte_lcore_id();
	struct iotlb_mark mark;
	uint16_t nb = 0;

	if (rxq->dma != NULL && unlikely(lcore_enter(lcore_id) != 0)) {
		rxq->stats.nolcore_bursts++;
		return 0;
	}
	iotlb_mark(&mark, rxq->dma, lcore_id);
	rxq_device(rxq, lcore_id, nb_pkts);
	iotlb_account(&mark, &rxq->stats);
	while (nb < nb_pkts && rxq->reap != rxq->post) {
		const struct net_iommu_desc *d =
			&rxq->ring[rxq->reap & rxq->mask];
		struct rte_mbuf *m;

		if (!(d->status & NET_IOMMU_DESC_DD))
			break;
		m = rxq->sw_ring[rxq->reap & rxq->mask];
		rxq->reap++;
		if (unlikely(d->status & NET_IOMMU_DESC_ERR)) {
			/* Counted by the device half; refill replaces it. */
			rte_pktmbuf_free(m);
			continue;
		}
		m->data_len = d->pkt_len;
		m->pkt_len = d->pkt_len;
		m->port = rxq->port_id;
		rxq->stats.bytes += d->pkt_len;
		pkts[nb++] = m;
	}
	rxq->stats.packets += nb;
	rxq_refill(rxq);
	if (rxq->dma != NULL)
		lcore_leave(lcore_id);
	return nb;
}
