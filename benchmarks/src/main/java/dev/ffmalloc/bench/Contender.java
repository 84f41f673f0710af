package dev.ffmalloc.bench;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.buddy.BuddyAllocator;
import dev.ffmalloc.buddy.BuddyConfig;
import dev.ffmalloc.bump.BumpAllocator;
import dev.ffmalloc.linkedlist.LinkedListHeap;
import dev.ffmalloc.bench.heap.ArenaSlots;
import dev.ffmalloc.bench.heap.ContenderHeap;
import dev.ffmalloc.bench.heap.FloorSlots;
import dev.ffmalloc.bench.heap.FootprintRule;
import dev.ffmalloc.bench.heap.HeapErrors;
import dev.ffmalloc.bench.heap.MallocSlots;
import dev.ffmalloc.bench.heap.NettySlots;
import dev.ffmalloc.bench.heap.ProjectHeap;
import dev.ffmalloc.bench.heap.SlabFreeFloorSlots;
import dev.ffmalloc.bench.heap.SlicingSlots;
import dev.ffmalloc.bench.workload.Workload;
import dev.ffmalloc.memory.NativeMemory;
import dev.ffmalloc.slab.AgronaPageMap;
import dev.ffmalloc.slab.AllocatorSlabBackend;
import dev.ffmalloc.slab.NativePageMap;
import dev.ffmalloc.slab.ObjectSizeType;
import dev.ffmalloc.slab.PageMap;
import dev.ffmalloc.slab.SlabCache;
import dev.ffmalloc.slab.SlabConfig;
import dev.ffmalloc.tlsf.ArenaPoolSource;
import dev.ffmalloc.tlsf.GrowableTlsf;
import dev.ffmalloc.tlsf.QuickListConfig;
import dev.ffmalloc.tlsf.Tlsf;
import dev.ffmalloc.tlsf.TlsfConfig;
import io.netty.util.concurrent.FastThreadLocalThread;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import static dev.ffmalloc.bench.workload.Workload.CHURN;
import static dev.ffmalloc.bench.workload.Workload.PAIR;
import static dev.ffmalloc.bench.workload.Workload.SLAB_OBJECTS;
import static dev.ffmalloc.bench.workload.Workload.TRACE_REPLAY;
import static dev.ffmalloc.bench.workload.Workload.TWO_THREAD_CHURN;

/**
 * Every contender of the suite, in one place: the baselines of WORKLOADS.md and the project's allocators. Adding an
 * allocator to the suite is adding one constant here; the benchmarks take their contenders by {@link #label()}, and
 * the suite runner and the results table read the rest from here.
 */
public enum Contender {

    // ------------------------------------------------------------------------------------------------ baselines

    /** The same stores into a preallocated segment, without allocating. */
    FLOOR("floor", Family.BASELINE, "floor (same stores, no allocation)", EnumSet.of(PAIR, CHURN, TWO_THREAD_CHURN),
        (workload, heapBytes) -> slots -> new FloorSlots(slots, workload.largestBlockBytes())),

    /**
     * W3's floor under a one-page slab free: the slot, metadata-line and object accesses such a free makes, with no
     * logic; its allocation is a plain bump (see {@code SlabFreeFloorSlots}).
     */
    FLOOR_SLAB_FREE("floor-slab-free", Family.BASELINE,
        "floor of a one-page slab free (its memory accesses, no logic; bump allocation)",
        EnumSet.of(SLAB_OBJECTS), (workload, heapBytes) -> slots -> new SlabFreeFloorSlots(slots,
            workload.largestBlockBytes(), 0)),

    /** {@code SegmentAllocator.slicingAllocator} over a large segment: bump, never free (W1's lower bound). */
    SLICING("slicing", Family.BASELINE, "slicingAllocator bump, no free", EnumSet.of(PAIR),
        (workload, heapBytes) -> SlicingSlots::new),

    /** libc {@code malloc}/{@code free} through FFM downcalls: every ratio is taken against this one. */
    MALLOC("malloc", Family.BASELINE, "malloc/free downcall",
        EnumSet.of(PAIR, CHURN, SLAB_OBJECTS, TWO_THREAD_CHURN, TRACE_REPLAY),
        (workload, heapBytes) -> slots -> new MallocSlots(slots, false)),

    /** The same through {@code Linker.Option.critical(false)} downcalls. */
    MALLOC_CRITICAL("malloc-critical", Family.BASELINE, "malloc/free critical downcall",
        EnumSet.of(PAIR, CHURN, SLAB_OBJECTS, TWO_THREAD_CHURN),
        (workload, heapBytes) -> slots -> new MallocSlots(slots, true)),

    /** One {@code Arena.ofConfined()} per block, closed to free. */
    ARENA_CONFINED("arena-confined", Family.BASELINE, "Arena.ofConfined per block",
        EnumSet.of(PAIR, CHURN, SLAB_OBJECTS, TWO_THREAD_CHURN), (workload, heapBytes) -> ArenaSlots::new),

    /** Netty's pooled direct buffers on a plain thread (no thread cache on JDK 25 without Unsafe). */
    NETTY("netty", Family.BASELINE, "Netty pooled, plain thread",
        EnumSet.of(PAIR, CHURN, SLAB_OBJECTS, TWO_THREAD_CHURN), (workload, heapBytes) -> NettySlots::new),

    /**
     * Netty's pooled direct buffers on Netty's own {@code FastThreadLocalThread}s, which get a thread cache. The
     * suite runs this contender with JMH's worker threads made by {@link NettyThreadExecutor}.
     */
    NETTY_FAST_THREAD("netty-fast-thread", Family.BASELINE, "Netty pooled, on a Netty thread",
        EnumSet.of(PAIR, CHURN, SLAB_OBJECTS, TWO_THREAD_CHURN),
        (workload, heapBytes) -> Contender::nettyOnNettyThread),

    // ---------------------------------------------------------------------------------- the project's allocators

    /** {@code BumpAllocator}: W1 only, since it frees only the last block. */
    BUMP("bump", Family.SPECIAL_PURPOSE, "bump (frees the last block only)", EnumSet.of(PAIR),
        fixedHeap((heap, workload, closers) -> new BumpAllocator(heap))),

    /**
     * {@code LinkedListHeap}, first fit over holes sorted by address. Not W3: freeing a million blocks in random
     * order walks a hole list that grows to half a million entries, hours per round.
     */
    LINKED_LIST("linked-list", Family.GENERAL_PURPOSE, "linked-list first fit",
        EnumSet.of(PAIR, CHURN, TWO_THREAD_CHURN, TRACE_REPLAY),
        fixedHeap((heap, workload, closers) -> new LinkedListHeap(heap))),

    /** {@code BuddyAllocator} in-band over the whole heap, 16-byte minimum blocks ({@code BuddyConfig.BYTE_HEAP}). */
    BUDDY("buddy", Family.GENERAL_PURPOSE, "buddy, in-band, 16 B min block",
        EnumSet.of(PAIR, CHURN, SLAB_OBJECTS, TWO_THREAD_CHURN, TRACE_REPLAY),
        fixedHeap((heap, workload, closers) -> BuddyAllocator.inBand(heap, heap.baseAddress(), heap.byteSize(),
            BuddyConfig.BYTE_HEAP))),

    /** {@code Tlsf} with the default configuration (quick lists on) and the whole heap as one pool. */
    TLSF("tlsf", Family.GENERAL_PURPOSE, "TLSF, default configuration, one pool",
        EnumSet.of(PAIR, CHURN, SLAB_OBJECTS, TWO_THREAD_CHURN, TRACE_REPLAY),
        fixedHeap((heap, workload, closers) -> tlsf(heap, TlsfConfig.DEFAULT))),

    /** The same without quick lists: the plain TLSF of the paper and rlsf, every free merging at once. */
    TLSF_PLAIN("tlsf-plain", Family.GENERAL_PURPOSE, "TLSF without quick lists (plain, as rlsf), one pool",
        EnumSet.of(PAIR, CHURN, SLAB_OBJECTS, TWO_THREAD_CHURN, TRACE_REPLAY),
        fixedHeap((heap, workload, closers) -> tlsf(heap, TlsfConfig.DEFAULT.withQuickLists(QuickListConfig.OFF)))),

    /**
     * {@code tlsf} in a JVM whose {@code NativeMemory} runs unchecked ({@link JvmFlags#UNCHECKED_MEMORY_ARGS}): what
     * the JDK's bounds and liveness checks on every access cost.
     */
    TLSF_UNCHECKED("tlsf-unchecked", Family.GENERAL_PURPOSE, "TLSF, default configuration, unchecked memory",
        EnumSet.of(PAIR, CHURN),
        uncheckedFixedHeap((heap, workload, closers) -> tlsf(heap, TlsfConfig.DEFAULT))),

    /**
     * {@code GrowableTlsf} starting empty over an {@code ArenaPoolSource} of 4 KiB units (the heap is the region it
     * draws from), growing by at least 64 KiB.
     */
    TLSF_GROWABLE("tlsf-growable", Family.GENERAL_PURPOSE, "growable TLSF, 4 KiB pages, 64 KiB least growth",
        EnumSet.of(PAIR, CHURN, SLAB_OBJECTS, TWO_THREAD_CHURN, TRACE_REPLAY),
        new ProjectOpener(FootprintRule.HEAP_BYTES_OBTAINED, MemoryMode.CHECKED,
            (heap, workload, closers) -> new GrowableTlsf(new ArenaPoolSource(heap, NativeMemory.PAGE_SIZE)))),

    /** {@code SlabCache} of the workload's block size, 4 KiB slabs of one page (SlabInfo found by masking). */
    SLAB("slab", Family.SPECIAL_PURPOSE, "slab cache, slab = page (masking)", EnumSet.of(PAIR, SLAB_OBJECTS),
        fixedHeap((heap, workload, closers) -> slabCache(heap, workload, closers, NativeMemory.PAGE_SIZE,
            NativeMemory.PAGE_SIZE, AgronaPageMap::new))),

    /** The same with 16 KiB slabs: the SlabInfo is found through Agrona's {@code Long2LongHashMap}. */
    SLAB_MULTI_PAGE_AGRONA("slab-16k-agrona", Family.SPECIAL_PURPOSE, "slab cache, 16 KiB slab, Agrona page map",
        EnumSet.of(SLAB_OBJECTS),
        fixedHeap((heap, workload, closers) -> slabCache(heap, workload, closers, 4 * NativeMemory.PAGE_SIZE,
            NativeMemory.PAGE_SIZE, AgronaPageMap::new))),

    /** The same with 16 KiB slabs: the SlabInfo is found through the native open-addressing page map. */
    SLAB_MULTI_PAGE_NATIVE("slab-16k-native", Family.SPECIAL_PURPOSE, "slab cache, 16 KiB slab, native page map",
        EnumSet.of(SLAB_OBJECTS),
        fixedHeap((heap, workload, closers) -> slabCache(heap, workload, closers, 4 * NativeMemory.PAGE_SIZE,
            NativeMemory.PAGE_SIZE, NativePageMap::new))),

    /**
     * 16 KiB slabs that are the cache's pages: the SlabInfo is found by masking, as for one-page slabs, with a quarter
     * of their SlabInfos (the page map is never asked).
     */
    SLAB_16K_PAGE("slab-16k-masked", Family.SPECIAL_PURPOSE, "slab cache, 16 KiB slab = 16 KiB cache page (masking)",
        EnumSet.of(SLAB_OBJECTS),
        fixedHeap((heap, workload, closers) -> slabCache(heap, workload, closers, 4 * NativeMemory.PAGE_SIZE,
            4 * NativeMemory.PAGE_SIZE, AgronaPageMap::new))),

    /** {@code slab-16k-masked} in a JVM whose {@code NativeMemory} runs unchecked, as {@code tlsf-unchecked}. */
    SLAB_16K_PAGE_UNCHECKED("slab-16k-masked-unchecked", Family.SPECIAL_PURPOSE,
        "slab cache, 16 KiB slab = 16 KiB cache page (masking), unchecked memory", EnumSet.of(SLAB_OBJECTS),
        uncheckedFixedHeap((heap, workload, closers) -> slabCache(heap, workload, closers,
            4 * NativeMemory.PAGE_SIZE, 4 * NativeMemory.PAGE_SIZE, AgronaPageMap::new)));

    /** The contender every ratio of the results table is taken against. */
    public static final Contender REFERENCE = MALLOC;

    /** What a contender is, for the targets of the results table. */
    public enum Family {
        /** What a Java user would pick instead of the project. */
        BASELINE,
        /** A project allocator that serves any size (linked list, buddy, TLSF). */
        GENERAL_PURPOSE,
        /** A project allocator for one purpose (bump: no free; slab: one object size). */
        SPECIAL_PURPOSE
    }

    private final String label;
    private final Family family;
    private final String description;
    private final Set<Workload> workloads;
    private final Opener opener;

    /** Opens a contender's instance for a workload. */
    @FunctionalInterface
    private interface Opener {
        ContenderHeap open(Workload workload, long fixedHeapBytes);
    }

    /** How the forks of a project contender run {@code NativeMemory}. */
    private enum MemoryMode {
        /** The default: the JDK checks every access. */
        CHECKED,
        /** {@code -Ddev.ffmalloc.memory.unchecked=true}. */
        UNCHECKED
    }

    /** Opens a project allocator over native memory, measured by {@code footprintRule}, in forks of {@code mode}. */
    private record ProjectOpener(FootprintRule footprintRule, MemoryMode mode, ProjectHeap.Builder builder)
        implements Opener {
        @Override
        public ContenderHeap open(final Workload workload, final long fixedHeapBytes) {
            return ProjectHeap.open(fixedHeapBytes, workload, footprintRule, builder);
        }
    }

    Contender(final String label, final Family family, final String description, final Set<Workload> workloads,
              final Opener opener) {
        this.label = label;
        this.family = family;
        this.description = description;
        this.workloads = workloads;
        this.opener = opener;
    }

    /** @return the name the benchmarks' {@code contender} parameter takes */
    public String label() {
        return label;
    }

    /** @return what the contender is, for the targets */
    public Family family() {
        return family;
    }

    /** @return the contender in words, for the results table */
    public String description() {
        return description;
    }

    /** @return whether the contender is one of the project's allocators */
    public boolean isProject() {
        return family != Family.BASELINE;
    }

    /** @return whether JMH's worker threads must be Netty threads for this contender */
    public boolean needsNettyThread() {
        return this == NETTY_FAST_THREAD;
    }

    /** @return whether this contender measures {@code NativeMemory} in unchecked mode */
    public boolean runsUnchecked() {
        return opener instanceof ProjectOpener project && project.mode() == MemoryMode.UNCHECKED;
    }

    /**
     * @return what the forked JVM of this contender's benchmarks needs besides {@link JvmFlags#FORK_ARGS}: Netty
     *         threads, or unchecked memory; contenders with different needs run in separate JMH sessions
     */
    public List<String> forkArgs() {
        if (needsNettyThread()) {
            return List.of(JvmFlags.NETTY_THREAD_ARGS);
        }
        return runsUnchecked() ? List.of(JvmFlags.UNCHECKED_MEMORY_ARGS) : List.of();
    }

    /** @return how this contender's footprint is measured in trace replays */
    public FootprintRule footprintRule() {
        return opener instanceof ProjectOpener project ? project.footprintRule() : FootprintRule.NOT_MEASURED;
    }

    /**
     * @return whether the suite replays {@code trace} with this contender: all do, except the linked list on
     *         {@code perl-hash}, about a minute per replay (its frees walk tens of thousands of holes)
     */
    public boolean replaysTrace(final String trace) {
        return serves(TRACE_REPLAY) && !(this == LINKED_LIST && "perl-hash".equals(trace));
    }

    /** @return whether the contender serves {@code workload} */
    public boolean serves(final Workload workload) {
        return workloads.contains(workload);
    }

    /**
     * Opens an instance for {@code workload}, on the thread that runs the workload (or one of them), with the
     * workload's {@linkplain Workload#fixedHeapBytes() fixed heap size}.
     *
     * @throws IllegalArgumentException if the contender does not serve the workload
     */
    public ContenderHeap open(final Workload workload) {
        return open(workload, workload.fixedHeapBytes());
    }

    /**
     * Opens an instance for {@code workload}; a project allocator over a fixed heap gets {@code fixedHeapBytes}.
     *
     * @throws IllegalArgumentException if the contender does not serve the workload
     */
    public ContenderHeap open(final Workload workload, final long fixedHeapBytes) {
        if (!serves(workload)) {
            throw HeapErrors.unsupported(label, workload.id());
        }
        if (isProject() && runsUnchecked() != NativeMemory.UNCHECKED) {
            throw new IllegalStateException("contender " + label + " measures " + checkMode(runsUnchecked())
                + " memory, but this JVM runs " + checkMode(NativeMemory.UNCHECKED) + ": start it with -D"
                + NativeMemory.UNCHECKED_PROPERTY + "=" + runsUnchecked());
        }
        return opener.open(workload, fixedHeapBytes);
    }

    /** @return the labels of the contenders that serve {@code workload}, in declaration order */
    public static List<String> labelsServing(final Workload workload) {
        final List<String> labels = new ArrayList<>();
        for (final Contender contender : values()) {
            if (contender.serves(workload)) {
                labels.add(contender.label);
            }
        }
        return labels;
    }

    /**
     * @return the contender named {@code label}
     * @throws IllegalArgumentException if there is none
     */
    public static Contender forLabel(final String label) {
        for (final Contender contender : values()) {
            if (contender.label.equals(label)) {
                return contender;
            }
        }
        throw new IllegalArgumentException("no contender has this label: label=" + label);
    }

    private static String checkMode(final boolean unchecked) {
        return unchecked ? "unchecked" : "checked";
    }

    /** A project allocator over a fixed heap, locked when the workload has two threads. */
    private static Opener fixedHeap(final ProjectHeap.Builder builder) {
        return new ProjectOpener(FootprintRule.HIGHEST_BLOCK_END, MemoryMode.CHECKED, builder);
    }

    /** The same, for a JVM whose {@code NativeMemory} runs unchecked. */
    private static Opener uncheckedFixedHeap(final ProjectHeap.Builder builder) {
        return new ProjectOpener(FootprintRule.HIGHEST_BLOCK_END, MemoryMode.UNCHECKED, builder);
    }

    private static Allocator tlsf(final NativeMemory heap, final TlsfConfig config) {
        final Tlsf tlsf = new Tlsf(heap, config);
        tlsf.addPool(heap.baseAddress(), heap.byteSize());
        return tlsf;
    }

    /**
     * A slab cache of the workload's block size (alignment 8, {@code SMALL}: SlabInfo inside the slab) whose slabs
     * come from an in-band buddy allocator of page frames over the whole heap, whose blocks are aligned to their size.
     * The SlabInfo is found by masking when the slab is one of the cache's pages, else through the page map.
     */
    private static Allocator slabCache(final NativeMemory heap, final Workload workload,
                                       final List<AutoCloseable> closers, final long slabSize, final long pageSize,
                                       final Supplier<PageMap> pageMaps) {
        final BuddyAllocator pages = BuddyAllocator.inBand(heap, heap.baseAddress(), heap.byteSize(),
            BuddyConfig.PAGE_FRAMES);
        final PageMap pageMap = pageMaps.get();
        closers.add(pageMap);
        final SlabCache cache = new SlabCache(SlabConfig.of(workload.largestBlockBytes(), 8, slabSize, pageSize,
            ObjectSizeType.SMALL),
            new AllocatorSlabBackend(pages, pageMap));
        closers.add(cache);
        return cache;
    }

    private static NettySlots nettyOnNettyThread(final int slots) {
        if (!(Thread.currentThread() instanceof FastThreadLocalThread)) {
            throw new IllegalStateException("contender must run on a Netty FastThreadLocalThread: contender="
                + NETTY_FAST_THREAD.label + ", thread=" + Thread.currentThread().getName()
                + "; run JMH with -Djmh.executor=CUSTOM -Djmh.executor.class=" + NettyThreadExecutor.class.getName());
        }
        return new NettySlots(slots);
    }
}
