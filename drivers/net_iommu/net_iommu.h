/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_iommu internals: an emulated NIC whose every DMA goes through uiommu.
 *
 * Design
 * ======
 *
 * Process-wide state (struct net_iommu_shared, one static instance)
 * -----------------------------------------------------------------
 * - One uiommu ctx shared by every net_iommu port: created by the first
 *   probe that needs an IOMMU, destroyed when the last such port closes.
 * - One uiommu hw per backend kind (smmu_sim, vtd_sim, direct), created by
 *   the first port that asks for it, refcounted by ports, destroyed with its
 *   last port.
 * - The list of ports with an IOMMU, for the memory event callback, which
 *   is registered by the first such probe and unregistered after the last
 *   close, outside sh->lock (EAL holds its callback lock while a callback
 *   runs, and the callback takes sh->lock). Probe and remove are
 *   serialised by the vdev bus (EAL's main thread).
 * - Who writes: probe, close, dev_start/dev_stop, dma_map/unmap and the
 *   memory event callback, all under sh->lock. Who reads on the fast path:
 *   nobody but the lcore flags below and ctx (constant while a port lives).
 * - Lock order: EAL's memory hotplug lock, then sh->lock, then uiommu's own.
 *   Memory event callbacks run with the hotplug lock held (write), so
 *   dev_start/dev_stop take it (read) before sh->lock and walk the memsegs
 *   with the *_thread_unsafe walkers; nothing takes the hotplug lock while
 *   holding sh->lock.
 *
 * Per port (struct net_iommu_port, the ethdev's dev_private)
 * ----------------------------------------------------------
 * - A uiommu dev (StreamID/RID = sid=), one PAGING domain, and per queue
 *   pair q a uiommu port: uiommu_attach_pasid(dev, pasid_base + q, dom), or
 *   uiommu_attach(dev, dom) for every queue when pasid=0 (one attachment at
 *   the RID, shared by the queues). Created at probe (dev, domain) and
 *   dev_start (attachments); destroyed at close and dev_stop.
 * - iommu=off: no uiommu object at all; the device model turns a
 *   descriptor's IOVA into a VA itself: a cast when EAL runs IOVA-as-VA
 *   (what a baseline must be: free), rte_mem_iova2virt() otherwise (slow;
 *   not a fair baseline, and said so in the log at start).
 * - DPDK memory is mapped into the domain at dev_start, IOVA = the memseg's
 *   IOVA, as VFIO type1 does (external memseg lists excluded: they go
 *   through dma_map, as with VFIO), and unmapped at dev_stop. In between,
 *   the memory event callback keeps the domain in step (alloc: map; free:
 *   unmap, strict, so the pages cannot be reused while a device can still
 *   reach them: the callback runs before EAL releases the pages).
 * - EAL calls the memory event callback with the DPDK heap's lock and the
 *   hotplug lock held: nothing in it may enter rte_malloc. So with memory
 *   events (dynamic hugepage memory), dev_start first reserves, outside
 *   any EAL lock, every page table that a page of an internal memseg list
 *   will need (uiommu_domain_reserve(); IOVA = VA makes the IOVAs of pages
 *   not yet allocated known), and maps DPDK memory a page at a time, so
 *   that no leaf spans two pages and a free never splits a block; the
 *   core keeps a one-page map or unmap free of allocation. With IOVA as
 *   PA the IOVAs are not known in advance: dev_start warns. --no-huge and
 *   --legacy-mem have no events. For the same reason sh->lock is
 *   recursive: a close that frees uiommu objects under it can make EAL
 *   return hugepages, and EAL calls the callback on that thread.
 *   Limitation: the callback takes sh->lock and domain locks, which other
 *   threads hold while they allocate from the heap (a control call that
 *   maps), so a control call must not run while another thread grows or
 *   shrinks the DPDK heap (ethdev control calls are not thread-safe
 *   anyway; uiommu page tables from a pool of their own would lift it).
 * - Invalidation (mode=): the PMD's own unmaps (memory events, dev_stop,
 *   dma_unmap) return only once no lcore can reach the memory, in every
 *   mode, since EAL or the application frees it right after. strict: each
 *   page is one strict unmap (one backend sync each); batch and lazy: the
 *   pages of one event or one stop are deferred unmaps and one flush (one
 *   sync). lazy also makes the domain LAZY, so that the application's own
 *   uiommu_unmap() calls defer, and arms an EAL alarm every
 *   NET_IOMMU_LAZY_FLUSH_US while the port is started that flushes what
 *   they left, so a stale translation lives a bounded time.
 * - External memory: the vdev driver's dma_map/dma_unmap (reached through
 *   rte_dev_dma_map()) map into the domain at once, started or not, and
 *   stay until unmapped or the port closes; a DPDK-memory range cannot be
 *   dma_mapped (EEXIST from the core).
 *
 * The emulated NIC: descriptor rings in DPDK memory, addressed by IOVA
 * --------------------------------------------------------------------
 * Each queue has a ring of 16-byte descriptors in an rte_memzone. Both
 * halves of the NIC run inside the burst functions on the calling lcore:
 *
 * TX (tx_burst): the driver half writes {buf IOVA, len} descriptors at
 * tail; the device half, from head to tail, reads each descriptor through
 * uiommu_translate(READ), then the buffer (READ, the whole packet, even
 * with copy=0), copies the bytes it moves (copy=1: all; copy=0: the first
 * NET_IOMMU_HDR_LEN) into a wire frame, and advances head, its completion
 * "register" (not DMA). The driver frees mbufs behind head.
 *
 * RX (rx_burst): the driver half posts {buf IOVA, buf len} descriptors of
 * fresh mbufs; the device half takes frames off the wire, reads the next
 * posted descriptor (READ), writes the frame into the buffer (WRITE) and
 * writes the completion {len, DD} back into the descriptor (WRITE); the
 * driver half reaps descriptors with DD set and reposts.
 *
 * Descriptors are fetched and written back the way a NIC does it, in
 * blocks: within one burst, one translation (READ for fetches, WRITE for
 * completions, each checked on its own) covers the rest of a 4 KiB page of
 * the ring, and the next descriptors in that page reuse it, which the
 * core's contract allows until the lcore's quiescent state at the end of
 * the burst. Buffers are translated per packet. So a packet costs about
 * two translations (TX buffer read, RX buffer write) plus a share of the
 * descriptor pages'. Each queue's device half makes its translations of
 * one burst through one run (uiommu_xlate_begin()): the lcore's IOTLB and
 * the port's configuration are read once, and an access to the page of
 * the run's last hit (the next buffer of a mempool on 2 MiB pages) is
 * checked against that entry's copy before the IOTLB is probed.
 *
 * Both halves run on one lcore per queue (ethdev's rule: one lcore per
 * queue), so ring indexes are plain variables and the descriptor stores
 * need no barrier: a real NIC would need one; here program order suffices.
 *
 * A DMA that faults (uiommu_translate() returns NULL) drops that packet:
 * the TX descriptor is consumed, the mbuf freed; on RX the frame is dropped
 * and, if the descriptor could be read, it completes with
 * NET_IOMMU_DESC_ERR so the driver replaces the buffer (one unreachable
 * buffer must not stall the queue). It is counted per queue by what the DMA was
 * doing (NET_IOMMU_DMA_*), and the core has recorded it in the hw's fault
 * queue (uiommu_hw_fault_read()) with its architectural reason.
 *
 * The wire: peer=<name> pairs this port's TX queue q with the peer's RX
 * queue q. The receiving queue owns a wire: an SP/SC rte_ring of frames and
 * the mempool they come from, created at rx_queue_setup, freed at its
 * release. The sender looks the peer up at dev_start and keeps a pointer
 * to its wires; a peer that has not set its RX queues up yet (testpmd
 * configures and starts one port after the other) connects its started
 * senders when it starts, and disconnects them when it releases an RX
 * queue; until connected, a TX queue sinks. As with net_ring, stopping or
 * closing a port while its peer still sends to it is the application's bug.
 * A full wire leaves the descriptor posted (back-pressure: tx_burst later
 * accepts fewer). Without a peer the device sinks TX and generates RX
 * frames of pkt_len bytes.
 *
 * Lcores
 * ------
 * A translating lcore must be online in the ctx. The first burst on an
 * lcore calls uiommu_lcore_online() (lcore flags below, written by the
 * lcore itself). Between bursts, though, the lcore is *paused*: each burst
 * starts with uiommu_lcore_resume_lc() and ends with
 * uiommu_lcore_pause_lc(), so between bursts it is offline in the ctx's
 * QSBR variable and holds up no grace period. Why: an lcore that stops
 * polling (testpmd's "stop") would otherwise hold up every later strict
 * unmap forever, and dev_stop, close and dma_unmap all unmap. The core's
 * online/offline calls take the ctx lock and flush the IOTLB, so they
 * cannot be per burst; pause and resume are a store, a fence and a drain
 * (uiommu_translate.h has their ordering argument).
 * The core's registration itself (IOTLBs, QSBR slot) lasts until the last
 * port closes and the ctx is destroyed.
 * A thread that is not an EAL lcore cannot go online: its bursts return 0
 * and count nolcore_bursts (iommu=off ports work anywhere).
 * A control-plane call made on an lcore that bursts (the core then reports
 * for it) leaves it QSBR-online; the PMD's own control paths pause it
 * again (net_iommu_ctl_done()).
 *
 * Held lcores. The pause and resume cost a full fence per burst, and the
 * fence waits for the stores of the burst before it (~2.5 ns a packet in
 * bench_net_iommu, doc/perf.md). An application that owns its polling
 * lcores (app/testpmd-iommu, a dataplane app) holds them instead
 * (uiommu_net_iommu_lcore_hold()): a held lcore stays QSBR-online between
 * bursts, each burst ends with a quiescent report (a store, no fence) and
 * the next one begins with nothing. It is the usual QSBR reader contract,
 * so the application must keep bursting or release the lcore
 * (uiommu_net_iommu_lcore_release(), which pauses it) before it stops
 * polling or blocks. Per-lcore state (struct net_iommu_lcore):
 *   online   registered in the ctx (uiommu_lcore_online()); the first
 *            burst sets it, ctx_put() clears it
 *   running  QSBR-online now (not paused)
 *   held     the application's hold
 *   - enter: !online: go online (running); !running: resume, running;
 *            else (held, running): nothing.
 *   - leave: held: quiescent report; else pause, !running.
 * Who writes: the lcore itself (bursts, hold, release, net_iommu_ctl_done
 * on its own thread), and ctx_put() when no port is left, hence no burst.
 * sh->lcore_lock orders release against ctx_put(): release pauses in the
 * ctx's QSBR variable, which ctx_put() frees. It is not sh->lock, which
 * the memory event callback and dev_stop hold while they wait for held
 * lcores: a held lcore that blocked on it would never report.
 */
#ifndef NET_IOMMU_H
#define NET_IOMMU_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <rte_common.h>
#include <rte_dev.h>
#include <rte_ether.h>
#include <rte_log.h>
#include <rte_memory.h>

#include <uiommu.h>

struct rte_eth_dev;
struct rte_mempool;
struct rte_memzone;
struct rte_ring;
struct rte_mbuf;

extern int net_iommu_logtype;
#define NET_IOMMU_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, net_iommu_logtype, "net_iommu: " fmt "\n", \
		##__VA_ARGS__)

#define NET_IOMMU_MAX_QUEUES	16
#define NET_IOMMU_RING_MIN	64	/* descriptors per queue, power of 2 */
#define NET_IOMMU_RING_MAX	4096
#define NET_IOMMU_RING_DEF	1024
#define NET_IOMMU_HDR_LEN	64	/* bytes copy=0 moves */
#define NET_IOMMU_PKT_LEN_MIN	60	/* generated frames, without FCS */
#define NET_IOMMU_PKT_LEN_MAX	9000
#define NET_IOMMU_PKT_LEN_DEF	64
#define NET_IOMMU_FRAME_MAX	9018	/* jumbo frame on the wire */
#define NET_IOMMU_WIRE_SIZE	512	/* frames in flight per RX queue */
#define NET_IOMMU_SID_BASE	0x100	/* sid = base + ethdev port id */

/* Backends, and "off": no IOMMU. */
enum net_iommu_kind {
	NET_IOMMU_OFF,
	NET_IOMMU_SMMU,
	NET_IOMMU_VTD,
	NET_IOMMU_DIRECT,
	NET_IOMMU_KINDS,
};

/* What a DMA was doing when it faulted: the per-queue xstats. */
enum net_iommu_dma {
	NET_IOMMU_DMA_TX_DESC,	/* device read a TX descriptor */
	NET_IOMMU_DMA_TX_BUF,	/* device read a TX buffer */
	NET_IOMMU_DMA_RX_DESC,	/* device read an RX descriptor */
	NET_IOMMU_DMA_RX_BUF,	/* device wrote an RX buffer */
	NET_IOMMU_DMA_RX_CPL,	/* device wrote an RX completion */
	NET_IOMMU_DMA_KINDS,
};

/* Parsed devargs, validated before anything is created. */
/* mode=: how the port's domain invalidates (see uiommu_net_iommu.h). */
enum net_iommu_mode {
	NET_IOMMU_STRICT,
	NET_IOMMU_BATCH,
	NET_IOMMU_LAZY,
	NET_IOMMU_MODES
};

struct net_iommu_args {
	enum net_iommu_kind kind;
	enum net_iommu_mode mode;
	uint32_t sid;
	bool sid_set;
	uint32_t pasid_base;	/* 0: attach at the RID */
	char peer[RTE_DEV_NAME_MAX_LEN];
	uint32_t pkt_len;
	bool copy;
};

/* One descriptor, both directions: what the device reads and writes. */
struct net_iommu_desc {
	uint64_t buf_iova;	/* driver: buffer */
	uint16_t buf_len;	/* driver: RX room; TX packet length */
	uint16_t pkt_len;	/* RX device: received length */
	uint16_t status;	/* RX device: NET_IOMMU_DESC_DD */
	uint16_t rsvd;
};
#define NET_IOMMU_DESC_DD	0x1	/* descriptor done */
#define NET_IOMMU_DESC_ERR	0x2	/* dropped: buffer fault or too small */

/* A frame on the wire: what a sending device put there. */
struct net_iommu_frame {
	uint32_t len;		/* wire length */
	uint32_t copied;	/* bytes of data[] that are valid */
	uint8_t data[NET_IOMMU_FRAME_MAX];
};

/* Frames in flight to one RX queue; owned by that queue. */
struct net_iommu_wire {
	struct rte_ring *ring;	/* SP (the peer's TX lcore) / SC */
	struct rte_mempool *pool;
};

/* Counters of one queue: written by its lcore only, read by any thread
 * (aligned 64-bit: torn-free, not a snapshot). */
struct net_iommu_qstats {
	uint64_t packets;
	uint64_t bytes;
	uint64_t errors;	/* TX: dropped (faults included) */
	uint64_t nombuf;	/* RX: no mbuf to repost */
	uint64_t oversize;	/* RX: frame longer than the buffer */
	uint64_t nolcore_bursts; /* bursts refused: not an EAL lcore */
	uint64_t faults[NET_IOMMU_DMA_KINDS];
	/* The queue's device DMA in the IOMMU: the polling lcore's IOTLB
	 * counters across each burst's device half (rxtx.c). */
	uint64_t iotlb_hits;
	uint64_t iotlb_misses;
	uint64_t iotlb_walks;
};

struct net_iommu_port;

struct net_iommu_rxq {
	struct net_iommu_port *port;
	const struct uiommu_port *dma;	/* NULL: iommu=off */
	bool iova_as_va;		/* iommu=off: cast IOVAs */
	bool copy;
	struct net_iommu_desc *ring;
	uint64_t ring_iova;
	struct rte_mbuf **sw_ring;
	uint16_t nb_desc, mask;
	uint16_t post;		/* driver: next descriptor to post */
	uint16_t dev;		/* device: next descriptor to fill */
	uint16_t reap;		/* driver: next descriptor to reap */
	uint16_t queue_id;
	uint16_t port_id;	/* ethdev port, for mbuf->port */
	struct rte_mempool *mb_pool;
	const struct rte_memzone *mz;
	struct net_iommu_wire wire;	/* frames from the peer */
	struct net_iommu_frame *gen;	/* no peer: the generated frame */
	struct net_iommu_qstats stats;
} __rte_cache_aligned;

struct net_iommu_txq {
	struct net_iommu_port *port;
	const struct uiommu_port *dma;	/* NULL: iommu=off */
	bool iova_as_va;		/* iommu=off: cast IOVAs */
	bool copy;
	struct net_iommu_desc *ring;
	uint64_t ring_iova;
	struct rte_mbuf **sw_ring;
	uint16_t nb_desc, mask;
	uint16_t tail;		/* driver: next descriptor to write */
	uint16_t head;		/* device: next descriptor to send */
	uint16_t clean;		/* driver: next mbuf to free */
	uint16_t queue_id;
	const struct rte_memzone *mz;
	struct net_iommu_wire *peer_wire; /* NULL: sink; atomic, set by peer */
	struct net_iommu_frame *scratch;  /* sink: where TX data is read to */
	struct net_iommu_qstats stats;
} __rte_cache_aligned;

/* mode=lazy: the period of the flush alarm (Linux's flush queue timeout). */
#define NET_IOMMU_LAZY_FLUSH_US	10000

struct net_iommu_port {
	LIST_ENTRY(net_iommu_port) next;	/* sh->ports, sh->lock */
	struct net_iommu_args args;
	struct rte_eth_dev *eth_dev;
	struct uiommu_hw *hw;		/* NULL: iommu=off */
	struct uiommu_dev *dev;
	struct uiommu_domain *dom;
	struct uiommu_port *qport[NET_IOMMU_MAX_QUEUES];
	bool started;			/* sh->lock */
	bool iova_as_va;		/* iommu=off: cast IOVAs */
	struct rte_ether_addr mac;
	/* hw counters at the last stats reset: xstats show the difference */
	struct uiommu_lcore_stats hw_base;
};

/* Per-lcore state: see "Lcores" above. */
struct net_iommu_lcore {
	bool online;	/* registered in the ctx */
	bool running;	/* QSBR-online: not paused */
	bool held;	/* uiommu_net_iommu_lcore_hold() */
} __rte_cache_aligned;

struct net_iommu_shared {
	pthread_mutex_t lock;
	pthread_mutex_t lcore_lock;	/* ctx lifetime vs lcore release */
	struct uiommu_ctx *ctx;		/* NULL while no port has an IOMMU */
	struct uiommu_hw *hw[NET_IOMMU_KINDS];
	unsigned int hw_users[NET_IOMMU_KINDS];
	unsigned int nb_ports;		/* ports with an IOMMU */
	bool mem_events;		/* the memory event callback is live */
	LIST_HEAD(, net_iommu_port) ports;
	struct net_iommu_lcore lcore[RTE_MAX_LCORE];
};

extern struct net_iommu_shared net_iommu_sh;

/* Pause lcore @l (the caller) in the ctx, and clear its running flag with
 * it: every pause goes through here, so that the flag follows the QSBR
 * state. The ctx must be live. */
static __rte_always_inline void
net_iommu_lcore_pause(unsigned int l)
{
	uiommu_lcore_pause_lc(uiommu_ctx_fast(net_iommu_sh.ctx), l);
	net_iommu_sh.lcore[l].running = false;
}

/* net_iommu_mem.c */
int net_iommu_shared_get(struct net_iommu_port *p);
void net_iommu_shared_put(struct net_iommu_port *p);
int net_iommu_mem_map_all(struct net_iommu_port *p);
void net_iommu_mem_unmap_all(struct net_iommu_port *p);
void net_iommu_lazy_flush_start(struct net_iommu_port *p);
void net_iommu_lazy_flush_stop(struct net_iommu_port *p);
void net_iommu_mem_event_cb(enum rte_mem_event type, const void *addr,
			    size_t len, void *arg);
int net_iommu_dma_map(struct net_iommu_port *p, void *addr, uint64_t iova,
		      size_t len);
int net_iommu_dma_unmap(struct net_iommu_port *p, uint64_t iova, size_t len);
int net_iommu_mem_cb_register(void);
void net_iommu_mem_cb_unregister(void);
void net_iommu_ctl_done(void);
int net_iommu_lcore_online_slow(unsigned int lcore_id);

/* net_iommu_rxtx.c */
uint16_t net_iommu_rx_burst(void *q, struct rte_mbuf **pkts, uint16_t n);
uint16_t net_iommu_tx_burst(void *q, struct rte_mbuf **pkts, uint16_t n);
int net_iommu_rxq_post_all(struct net_iommu_rxq *rxq);
void net_iommu_rxq_drop_all(struct net_iommu_rxq *rxq);
void net_iommu_txq_drop_all(struct net_iommu_txq *txq);
void net_iommu_frame_fill(struct net_iommu_frame *f, uint32_t len,
			  uint32_t seed);

#endif /* NET_IOMMU_H */
