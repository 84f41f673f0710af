package dev.ffmalloc.bench;

/**
 * The arguments of every forked benchmark JVM, for the suite runner; the benchmarks' {@code @Fork} annotations
 * repeat them (an annotation cannot name an array constant) for runs started with JMH's own command line.
 */
public final class JvmFlags {

    /**
     * Downcalls are restricted methods; Agrona's buffers reach {@code jdk.internal.misc.Unsafe}; Netty's leak
     * detector (a debugging aid that records a stack trace for one buffer in 128) is off, as in production; a fixed
     * Java heap.
     */
    public static final String[] FORK_ARGS = {
        "--enable-native-access=ALL-UNNAMED",
        "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED",
        "-Dio.netty.leakDetection.level=disabled",
        "--sun-misc-unsafe-memory-access=allow",
        "-Xms2g", "-Xmx2g",
    };

    /** Added to {@link #FORK_ARGS} for contenders that must run on Netty threads. */
    public static final String[] NETTY_THREAD_ARGS = {
        "-Djmh.executor=CUSTOM",
        "-Djmh.executor.class=dev.ffmalloc.bench.NettyThreadExecutor",
    };

    private JvmFlags() {
    }
}
