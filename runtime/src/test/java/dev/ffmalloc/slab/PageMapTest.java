package dev.ffmalloc.slab;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Both page maps against a {@link HashMap}: puts, replacements, removals (backward shift) and growth. */
final class PageMapTest {

    private static final long SEED = 0x9A6E_3A95L;

    private static PageMap newMap(final String kind) {
        return kind.equals("native") ? new NativePageMap() : new AgronaPageMap();
    }

    @ParameterizedTest
    @ValueSource(strings = {"agrona", "native"})
    void emptyMapHasNoEntries(final String kind) {
        try (PageMap map = newMap(kind)) {
            assertEquals(PageMap.MISSING, map.get(0x1000));
            assertEquals(PageMap.MISSING, map.get(0));
            assertEquals(PageMap.MISSING, map.get(-4096));
            map.remove(0x1000);
            assertEquals(0, map.size());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"agrona", "native"})
    void putReplacesAndRemoveForgets(final String kind) {
        try (PageMap map = newMap(kind)) {
            map.put(0x7000, 0x100);
            map.put(0x7000, 0x200);
            map.put(-4096, 0x300);
            assertEquals(2, map.size());
            assertEquals(0x200, map.get(0x7000));
            assertEquals(0x300, map.get(-4096));
            map.remove(0x7000);
            assertEquals(PageMap.MISSING, map.get(0x7000));
            assertEquals(0x300, map.get(-4096));
            assertEquals(1, map.size());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"agrona", "native"})
    void randomOperationsAgreeWithAHashMap(final String kind) {
        System.out.println("PageMapTest.randomOperationsAgreeWithAHashMap kind=" + kind + " seed=0x"
            + Long.toHexString(SEED));
        final SplittableRandom random = new SplittableRandom(SEED);
        final Map<Long, Long> model = new HashMap<>();
        final List<Long> keys = new ArrayList<>();
        try (PageMap map = newMap(kind)) {
            for (int op = 0; op < 200_000; op++) {
                // Pages clustered in a small range, as a heap's slabs are, so probe runs collide and wrap.
                final long pageAddr = 0x7F00_0000_0000L + random.nextLong(1, 4096) * 4096;
                final int choice = random.nextInt(10);
                if (choice < 5) {
                    final long slabInfoAddr = random.nextLong(1, Long.MAX_VALUE);
                    map.put(pageAddr, slabInfoAddr);
                    if (model.put(pageAddr, slabInfoAddr) == null) {
                        keys.add(pageAddr);
                    }
                } else if (choice < 8 && !keys.isEmpty()) {
                    final long victim = keys.get(random.nextInt(keys.size()));
                    map.remove(victim);
                    model.remove(victim);
                    keys.remove(victim);
                } else {
                    assertEquals(model.getOrDefault(pageAddr, PageMap.MISSING), map.get(pageAddr),
                        "lookup of 0x" + Long.toHexString(pageAddr) + " at op " + op);
                }
                assertEquals(model.size(), map.size());
            }
            for (final Map.Entry<Long, Long> entry : model.entrySet()) {
                assertEquals(entry.getValue(), map.get(entry.getKey()));
            }
            if (map instanceof NativePageMap nativeMap) {
                assertTrue(nativeMap.capacity() >= 2L * map.size(), "load factor above 1/2");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"agrona", "native"})
    void removingEveryKeyOfACollidingRunLeavesTheOthersReachable(final String kind) {
        try (PageMap map = newMap(kind)) {
            for (long page = 1; page <= 1000; page++) {
                map.put(page * 4096, page);
            }
            for (long page = 1; page <= 1000; page += 3) {
                map.remove(page * 4096);
            }
            for (long page = 1; page <= 1000; page++) {
                assertEquals(page % 3 == 1 ? PageMap.MISSING : page, map.get(page * 4096), "page " + page);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"agrona", "native"})
    void refusesEntriesOfZeroByNameAndKeepsItsEntries(final String kind) {
        try (PageMap map = newMap(kind)) {
            map.put(0x1000, 0x2000);
            assertEquals("page map entries are never 0: pageAddr=0x0, slabInfoAddr=0x2000",
                assertThrows(IllegalArgumentException.class, () -> map.put(0, 0x2000)).getMessage());
            assertEquals("page map entries are never 0: pageAddr=0x3000, slabInfoAddr=0x0",
                assertThrows(IllegalArgumentException.class, () -> map.put(0x3000, 0)).getMessage());
            assertEquals(1, map.size());
            assertEquals(0x2000, map.get(0x1000));
            assertEquals(PageMap.MISSING, map.get(0));
        }
    }

    @Test
    void aClosedNativeMapRefusesPutAndRemoveByName() {
        final NativePageMap map = new NativePageMap();
        map.put(0x1000, 0x2000);
        map.close();
        assertEquals("page map is closed",
            assertThrows(IllegalStateException.class, () -> map.put(0x1000, 0x2000)).getMessage());
        assertEquals("page map is closed", assertThrows(IllegalStateException.class, () -> map.remove(0x1000))
            .getMessage());
        assertEquals(0, map.size());
        // get, on the hot path, does not check: the closed map's empty table makes the JDK throw.
        assertThrows(IndexOutOfBoundsException.class, () -> map.get(0x1000));
        map.close();
    }
}
