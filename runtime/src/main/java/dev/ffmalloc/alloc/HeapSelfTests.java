package dev.ffmalloc.alloc;

import dev.ffmalloc.memory.Memory;

/**
 * Seed 004's three heap tests on any {@link Allocator}: simple boxed values, a large vector grown by reallocation
 * whose sum must be n(n+1)/2, and many allocations in a row that pass only if freed memory is reused. Each returns
 * one line of report, throws {@link IllegalStateException} ("heap test failed: ...") when a value is lost, lets the
 * allocator's own exceptions through, and ends with {@link Allocator#checkIntegrity()}.
 *
 * <p>One implementation for every caller: the simulated kernel runs them as boot self-tests on its heap, and the
 * JUnit suites run them on each allocator and assert on the reports.
 */
public final class HeapSelfTests {

    private HeapSelfTests() {
    }

    /** Two 8-byte boxes hold 41 and 13, then are freed (the first one first). */
    public static String simpleAllocation(final Allocator heap) {
        final Memory memory = heap.memory();
        final long first = heap.allocate(8, 8);
        final long second = heap.allocate(8, 8);
        memory.setLong(first, 41);
        memory.setLong(second, 13);
        check(memory.getLong(first) == 41 && memory.getLong(second) == 13, "boxes lost their values");
        heap.free(first);
        heap.free(second);
        heap.checkIntegrity();
        return String.format("simple allocation: boxes at 0x%x, 0x%x hold 41 and 13", first, second);
    }

    /** A vector of {@code elements} longs, doubled by reallocation, holds 1..n and sums to n(n+1)/2. */
    public static String largeVector(final Allocator heap, final long elements) {
        final Memory memory = heap.memory();
        long capacity = 1;
        long vector = heap.allocate(capacity * Long.BYTES, 8);
        for (long i = 0; i < elements; i++) {
            if (i == capacity) {
                capacity *= 2;
                vector = heap.reallocate(vector, capacity * Long.BYTES, 8);
            }
            memory.setLong(vector + i * Long.BYTES, i + 1);
        }
        long sum = 0;
        for (long i = 0; i < elements; i++) {
            sum += memory.getLong(vector + i * Long.BYTES);
        }
        final long expected = elements * (elements + 1) / 2;
        check(sum == expected, "vector sum " + sum + " is not n(n+1)/2 = " + expected);
        heap.free(vector);
        heap.checkIntegrity();
        return "large vector: " + elements + " longs sum to " + sum + " = n(n+1)/2";
    }

    /**
     * {@code rounds} blocks of {@code byteSize} allocated and freed in a row beside one long-lived box: more bytes
     * than the heap ever holds, so it passes only if freed memory is reused.
     */
    public static String manyAllocations(final Allocator heap, final long rounds, final long byteSize) {
        final Memory memory = heap.memory();
        final long longLived = heap.allocate(8, 8);
        memory.setLong(longLived, 1);
        for (long i = 0; i < rounds; i++) {
            final long address = heap.allocate(byteSize, 8);
            memory.setLong(address, i);
            check(memory.getLong(address) == i, "block at 0x" + Long.toHexString(address) + " lost its value");
            heap.free(address);
        }
        check(memory.getLong(longLived) == 1, "the long-lived box was overwritten");
        heap.free(longLived);
        heap.checkIntegrity();
        return "many allocations: " + rounds + " x " + byteSize + " B (" + rounds * byteSize
            + " bytes) allocated and freed in a row";
    }

    private static void check(final boolean condition, final String failure) {
        if (!condition) {
            throw new IllegalStateException("heap test failed: " + failure);
        }
    }
}
