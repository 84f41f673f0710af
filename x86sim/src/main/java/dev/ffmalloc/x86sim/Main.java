package dev.ffmalloc.x86sim;

import dev.ffmalloc.alloc.OutOfMemoryException;
import dev.ffmalloc.buddy.BuddyAllocator;
import dev.ffmalloc.x86sim.boot.BootMemory;
import dev.ffmalloc.x86sim.boot.FrameAllocator;
import dev.ffmalloc.x86sim.firmware.E820Map;
import dev.ffmalloc.x86sim.firmware.E820Parser;
import dev.ffmalloc.x86sim.firmware.E820Preset;
import dev.ffmalloc.x86sim.kernel.KernelBoot;
import dev.ffmalloc.x86sim.paging.CpuModel;
import dev.ffmalloc.x86sim.paging.MapperException;
import dev.ffmalloc.x86sim.phys.PhysRange;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The command-line entry point: builds a simulated machine from a memory map and boots its memory, printing each
 * step. Options: {@code --preset NAME} (see {@link E820Preset}; default {@code highmem-vm}), {@code --e820 FILE} (a
 * dmesg or its {@code BIOS-e820:} lines), {@code --help}.
 */
public final class Main {

    /** The preset used when no map is given. */
    public static final E820Preset DEFAULT_PRESET = E820Preset.HIGHMEM_VM;

    /** Where the kernel image is loaded: Linux's default {@code CONFIG_PHYSICAL_START}, 16 MiB. */
    public static final long KERNEL_IMAGE_ADDR = 16L << 20;

    /** How much the simulated kernel image takes. */
    public static final long KERNEL_IMAGE_BYTES = 8L << 20;

    private static final String USAGE = """
        usage: x86sim [--preset NAME | --e820 FILE]
          --preset NAME  a built-in memory map: %s (default %s)
          --e820 FILE    a memory map as Linux prints it at boot (a dmesg, or just its BIOS-e820: lines)
        """;

    private Main() {
    }

    /** @param args options; none are needed */
    public static void main(final String[] args) {
        final E820Map map;
        try {
            map = memoryMap(args);
        } catch (final IllegalArgumentException | IOException bad) {
            System.err.println("x86sim: " + bad.getMessage());
            System.err.print(usage());
            System.exit(2);
            return;
        }
        if (map == null) {
            System.out.print(usage());
            return;
        }
        try {
            run(map, System.out);
        } catch (final IllegalArgumentException | OutOfMemoryException | MapperException cannotBoot) {
            // A machine too small or too odd for this kernel: say why, as for a bad option.
            System.err.println("x86sim: cannot boot this machine: " + cannotBoot.getMessage());
            System.exit(2);
        }
    }

    /**
     * @return the map the options choose, or null if help was asked for
     * @throws IllegalArgumentException on an unknown option or preset, or a malformed map
     * @throws IOException              if the map file cannot be read
     */
    static E820Map memoryMap(final String[] args) throws IOException {
        E820Map map = DEFAULT_PRESET.map();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help", "-h" -> {
                    return null;
                }
                case "--preset" -> map = E820Preset.byName(optionValue(args, i++)).map();
                case "--e820" -> map = E820Parser.parse(Path.of(optionValue(args, i++)));
                default -> throw new IllegalArgumentException("unknown option: option=" + args[i]);
            }
        }
        return map;
    }

    private static String optionValue(final String[] args, final int optionIndex) {
        if (optionIndex + 1 >= args.length) {
            throw new IllegalArgumentException("option needs a value: option=" + args[optionIndex]);
        }
        return args[optionIndex + 1];
    }

    private static String usage() {
        final StringBuilder names = new StringBuilder();
        for (final E820Preset preset : E820Preset.values()) {
            names.append(names.isEmpty() ? "" : ", ").append(preset.presetName());
        }
        return String.format(USAGE, names, DEFAULT_PRESET.presetName());
    }

    /**
     * Boots a machine built from {@code map}, printing each step to {@code out}.
     *
     * @throws IllegalArgumentException as {@link #checkBootable}
     * @throws OutOfMemoryException     if the RAM is too small for the kernel's tables and heap
     */
    static void run(final E820Map map, final PrintStream out) {
        checkBootable(map);
        printMemoryMap(map, out);
        try (Machine machine = new Machine(map)) {
            printRam(machine, out);
            final BootMemory bootMemory = BootMemory.forMachine(machine);
            bootMemory.reserve(KERNEL_IMAGE_ADDR, KERNEL_IMAGE_BYTES);
            printBootMemory(bootMemory, out);
            final FrameAllocator frames = bootMemory.handOff(machine.ram(), machine.arena());
            printFrames(frames, out);
            KernelBoot.run(machine, frames, KERNEL_IMAGE_ADDR, KERNEL_IMAGE_BYTES, out);
        }
    }

    /**
     * Refuses, before anything is built, a map this kernel cannot boot on.
     *
     * @throws IllegalArgumentException if usable RAM lies above the CPU model's MAXPHYADDR (no page table could map
     *                                  it), or no usable RAM holds the kernel image's place
     */
    static void checkBootable(final E820Map map) {
        map.checkUsableRamBelow(CpuModel.DEFAULT.maxPhysAddrBits());
        final PhysRange image = new PhysRange(KERNEL_IMAGE_ADDR, KERNEL_IMAGE_ADDR + KERNEL_IMAGE_BYTES);
        boolean imageInRam = false;
        for (final PhysRange range : map.usableRanges()) {
            imageInRam |= range.startAddr() <= image.startAddr() && range.endAddr() >= image.endAddr();
        }
        if (!imageInRam) {
            throw new IllegalArgumentException("the kernel image needs usable RAM where it is loaded, and the map has"
                + " none there: image=" + image);
        }
    }

    static void printMemoryMap(final E820Map map, final PrintStream out) {
        out.println("== firmware memory map (e820) ==");
        out.print(map.format());
        out.printf("usable: %s in %d ranges, address space up to 0x%x (%s)%n", bytes(map.usableBytes()),
            map.usableRanges().size(), map.endAddr(), bytes(map.endAddr()));
    }

    static void printRam(final Machine machine, final PrintStream out) {
        out.println();
        out.println("== RAM backed by off-heap segments ==");
        for (final PhysRange range : machine.ram().ranges()) {
            out.printf("  %s %10s%n", range, bytes(range.byteSize()));
        }
        out.printf("RAM backed: %s (%d bytes) in %d segments%n", bytes(machine.ram().byteSize()),
            machine.ram().byteSize(), machine.ram().ranges().size());
    }

    static void printBootMemory(final BootMemory bootMemory, final PrintStream out) {
        out.println();
        out.println("== boot memory (memblock) ==");
        for (final PhysRange range : bootMemory.reservedRegions()) {
            out.printf("  reserved %s %10s%n", range, bytes(range.byteSize()));
        }
        out.printf("free for the frame allocator: %s in %d ranges%n", bytes(bootMemory.freeBytes()),
            bootMemory.freeRanges().size());
    }

    static void printFrames(final FrameAllocator frames, final PrintStream out) {
        final BuddyAllocator buddy = frames.buddy();
        out.println();
        out.println("== hand-off to the buddy frame allocator (memblock retired) ==");
        final long[] blocks = buddy.freeBlocksPerOrder();
        for (int order = 0; order < blocks.length; order++) {
            out.printf("  order %2d (%9s blocks): %7d free = %8d frames%n", order,
                bytes(buddy.config().blockSize(order)), blocks[order], blocks[order] << order);
        }
        out.printf("free frames: %d (%s)%n", frames.freeFrames(), bytes(buddy.freeBytes()));
        out.printf("frame table: %s populated of %s over [0x%x, 0x%x)%n", bytes(frames.frameTable().populatedBytes()),
            bytes(frames.frameTable().tableByteSize()), buddy.spanAddr(), buddy.spanAddr() + buddy.spanByteSize());
    }

    /** @return {@code byteSize} in the largest binary unit that keeps it at least 1, one decimal */
    static String bytes(final long byteSize) {
        final String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        int unit = 0;
        double value = byteSize;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? byteSize + " B" : String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
