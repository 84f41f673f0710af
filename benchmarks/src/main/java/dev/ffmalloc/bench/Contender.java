package dev.ffmalloc.bench;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.bench.heap.ArenaSlots;
import dev.ffmalloc.bench.heap.ContenderHeap;
import dev.ffmalloc.bench.heap.FloorSlots;
import dev.ffmalloc.bench.heap.FootprintRule;
import dev.ffmalloc.bench.heap.HeapErrors;
import dev.ffmalloc.bench.heap.MallocSlots;
import dev.ffmalloc.bench.heap.NettySlots;
import dev.ffmalloc.bench.heap.ProjectHeap;
import dev.ffmalloc.bench.heap.SlicingSlots;
import dev.ffmalloc.bench.workload.Workload;
import dev.ffmalloc.memory.NativeMemory;
import io.netty.util.concurrent.FastThreadLocalThread;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

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

    /** The same stores into a preallocated segment, without allocating. */
    FLOOR("floor", Family.BASELINE, "floor (same stores, no allocation)", EnumSet.of(PAIR, CHURN, TWO_THREAD_CHURN),
        workload -> slots -> new FloorSlots(slots, workload.largestBlockBytes())),

    /** {@code SegmentAllocator.slicingAllocator} over a large segment: bump, never free (W1's lower bound). */
    SLICING("slicing", Family.BASELINE, "slicingAllocator bump, no free", EnumSet.of(PAIR),
        workload -> SlicingSlots::new),

    /** libc {@code malloc}/{@code free} through FFM downcalls: every ratio is taken against this one. */
    MALLOC("malloc", Family.BASELINE, "malloc/free downcall",
        EnumSet.of(PAIR, CHURN, SLAB_OBJECTS, TWO_THREAD_CHURN, TRACE_REPLAY),
        workload -> slots -> new MallocSlots(slots, false)),

    /** The same through {@code Linker.Option.critical(false)} downcalls. */
    MALLOC_CRITICAL("malloc-critical", Family.BASELINE, "malloc/free critical downcall",
        EnumSet.of(PAIR, CHURN, SLAB_OBJECTS, TWO_THREAD_CHURN),
        workload -> slots -> new MallocSlots(slots, true)),

    /** One {@code Arena.ofConfined()} per block, closed to free. */
    ARENA_CONFINED("arena-confined", Family.BASELINE, "Arena.ofConfined per block",
        EnumSet.of(PAIR, CHURN, SLAB_OBJECTS, TWO_THREAD_CHURN), workload -> ArenaSlots::new),

    /** Netty's pooled direct buffers on a plain thread (no thread cache on JDK 25 without Unsafe). */
    NETTY("netty", Family.BASELINE, "Netty pooled, plain thread",
        EnumSet.of(PAIR, CHURN, SLAB_OBJECTS, TWO_THREAD_CHURN), workload -> NettySlots::new),

    /**
     * Netty's pooled direct buffers on Netty's own {@code FastThreadLocalThread}s, which get a thread cache. The
     * suite runs this contender with JMH's worker threads made by {@link NettyThreadExecutor}.
     */
    NETTY_FAST_THREAD("netty-fast-thread", Family.BASELINE, "Netty pooled, on a Netty thread",
        EnumSet.of(PAIR, CHURN, SLAB_OBJECTS, TWO_THREAD_CHURN), workload -> Contender::nettyOnNettyThread);

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
    private final Function<Workload, ContenderHeap> opener;

    Contender(final String label, final Family family, final String description, final Set<Workload> workloads,
              final Function<Workload, ContenderHeap> opener) {
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

    /** @return how this contender's footprint is measured in trace replays */
    public FootprintRule footprintRule() {
        return isProject() ? FootprintRule.HIGHEST_BLOCK_END : FootprintRule.NOT_MEASURED;
    }

    /** @return whether the contender serves {@code workload} */
    public boolean serves(final Workload workload) {
        return workloads.contains(workload);
    }

    /**
     * Opens an instance for {@code workload}, on the thread that runs the workload (or one of them).
     *
     * @throws IllegalArgumentException if the contender does not serve the workload
     */
    public ContenderHeap open(final Workload workload) {
        if (!serves(workload)) {
            throw HeapErrors.unsupported(label, workload.id());
        }
        return opener.apply(workload);
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

    /** A project allocator over a fixed heap of the workload's size, locked when the workload has two threads. */
    private static Function<Workload, ContenderHeap> fixedHeap(final Function<NativeMemory, Allocator> factory) {
        return workload -> ProjectHeap.fixed(workload.fixedHeapBytes(), workload.threads(), factory);
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
