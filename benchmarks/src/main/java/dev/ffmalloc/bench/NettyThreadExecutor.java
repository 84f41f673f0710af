package dev.ffmalloc.bench;

import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A JMH executor whose worker threads are Netty {@code FastThreadLocalThread}s (made by Netty's
 * {@link DefaultThreadFactory}), so that the benchmark body itself runs on a Netty thread and Netty's pooled
 * allocator gives it a thread cache, as it does to code on a Netty event loop.
 *
 * <p>Use: {@code -Djmh.executor=CUSTOM -Djmh.executor.class=dev.ffmalloc.bench.NettyThreadExecutor} in the
 * forked JVM's arguments (JMH instantiates the class by its {@code (int, String)} constructor). The suite runner does
 * this for {@link Contender#NETTY_FAST_THREAD} only.
 */
public final class NettyThreadExecutor extends ThreadPoolExecutor {

    /**
     * @param maxThreads the number of worker threads JMH needs
     * @param prefix     JMH's name prefix for them
     */
    public NettyThreadExecutor(final int maxThreads, final String prefix) {
        super(maxThreads, maxThreads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(),
            new DefaultThreadFactory(prefix, true));
    }
}
