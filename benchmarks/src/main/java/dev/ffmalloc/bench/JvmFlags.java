package dev.ffmalloc.bench;

import dev.ffmalloc.memory.NativeMemory;

/**
 * The arguments of every forked benchmark JVM, for the suite runner; the benchmarks' {@code @Fork} annotations
 * repeat them (an annotation cannot name an array constant) for runs started with JMH's own command line.
 */
public final class JvmFlags {

    /**
     * Keeps the JVM from echoing each later {@code CompileCommand} into the benchmark's output. A command of its
     * own: the JVM reads {@code quiet} as the whole command and silently drops anything after it on the same flag.
     */
    public static final String QUIET_COMPILE_COMMANDS = "-XX:CompileCommand=quiet";

    /**
     * Inlines the harness's {@code SlotHeap.pair} (W1) into the benchmark loop, as JMH inlines the benchmark method
     * itself, for every contender alike: left alone, C2 compiles that glue as a method of its own once it is big,
     * and W1 measures a call boundary besides the allocator.
     */
    public static final String INLINE_PAIR = "-XX:CompileCommand=inline,dev.ffmalloc.bench.heap.SlotHeap::pair";

    /**
     * Downcalls are restricted methods; Agrona's buffers reach {@code jdk.internal.misc.Unsafe}; Netty's leak
     * detector (a debugging aid that records a stack trace for one buffer in 128) is off, as in production; a fixed
     * Java heap. The JDK's default {@code sun.misc.Unsafe} policy is kept on purpose: under it Netty 4.2 on JDK 25
     * does not use {@code Unsafe}, as a user gets it ({@code --sun-misc-unsafe-memory-access=allow} would switch
     * Netty to its {@code Unsafe} paths). JMH's warning about its own use of {@code Unsafe} is the price. And
     * {@link #INLINE_PAIR}, after {@link #QUIET_COMPILE_COMMANDS}.
     */
    public static final String[] FORK_ARGS = {
        "--enable-native-access=ALL-UNNAMED",
        "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED",
        "-Dio.netty.leakDetection.level=disabled",
        "-Xms2g", "-Xmx2g",
        QUIET_COMPILE_COMMANDS,
        INLINE_PAIR,
    };

    /** Added to {@link #FORK_ARGS} for contenders that must run on Netty threads. */
    public static final String[] NETTY_THREAD_ARGS = {
        "-Djmh.executor=CUSTOM",
        "-Djmh.executor.class=dev.ffmalloc.bench.NettyThreadExecutor",
    };

    /** Added to {@link #FORK_ARGS} for contenders that measure {@code NativeMemory} in unchecked mode. */
    public static final String[] UNCHECKED_MEMORY_ARGS = {
        "-D" + NativeMemory.UNCHECKED_PROPERTY + "=true",
    };

    private JvmFlags() {
    }
}
