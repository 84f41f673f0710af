package dev.ffmalloc.x86sim;

import dev.ffmalloc.memory.Memory;
import dev.ffmalloc.x86sim.cpu.AccessKind;
import dev.ffmalloc.x86sim.cpu.AccessResult;
import dev.ffmalloc.x86sim.cpu.Cpu;
import dev.ffmalloc.x86sim.cpu.VirtualMemory;
import dev.ffmalloc.x86sim.firmware.E820Map;
import dev.ffmalloc.x86sim.paging.CpuModel;
import dev.ffmalloc.x86sim.paging.FrameSource;
import dev.ffmalloc.x86sim.paging.Mapper;

import java.lang.foreign.Arena;

/**
 * The entry point for programs that drive the paging unit from outside: physical memory (from a firmware memory
 * map, or flat), a set of CPUs, raw access to paging-structure entries, and accesses that return a physical address
 * or the fault the processor raises.
 *
 * <p>A typical check of a simulator against one's own case: write the entries of a path with {@link #writeEntry},
 * point a CPU's CR3 at the top table and set control bits ({@link Cpu#writeCr3}, {@link Cpu#setCr4Bit},
 * {@link Cpu#setEferBit}, {@link Cpu#setCr0Bit}, {@link Cpu#setAc}), call {@link #access}, compare the
 * {@link AccessResult} (physical address and page size; or #PF with error code and CR2; or #GP), read the entries
 * back with {@link #readEntry} to check A and D, and flush with {@link Cpu#invlpg} or {@link Cpu#flushTlb}.
 *
 * <p>CPUs start in IA-32e mode with CR0.WP set, CR3 zero, and PGE, LA57, SMEP, SMAP, NXE and AC clear. Each CPU is
 * driven by one thread at a time; all share the physical memory.
 */
public final class Simulator implements AutoCloseable {

    private final Memory physical;
    private final CpuModel model;
    private final Cpu[] cpus;
    private final AutoCloseable owned;

    private Simulator(final Memory physical, final CpuModel model, final int cpuCount, final AutoCloseable owned) {
        if (cpuCount < 1) {
            throw new IllegalArgumentException("a machine needs at least one CPU: cpuCount=" + cpuCount);
        }
        this.physical = physical;
        this.model = model;
        this.owned = owned;
        this.cpus = new Cpu[cpuCount];
        for (int id = 0; id < cpuCount; id++) {
            cpus[id] = new Cpu(id, physical, model);
        }
    }

    /**
     * A machine built from a firmware memory map: every usable range backed by its own zeroed off-heap segment
     * (see {@link Machine}), physical addresses outside them unbacked; {@link #close} releases the RAM.
     *
     * @throws IllegalArgumentException if the map has no usable page, usable RAM above the model's MAXPHYADDR, or
     *                                  {@code cpuCount} is below 1
     */
    public static Simulator boot(final E820Map memoryMap, final CpuModel model, final int cpuCount) {
        memoryMap.checkUsableRamBelow(model.maxPhysAddrBits());
        final Machine machine = new Machine(memoryMap);
        try {
            return new Simulator(machine.ram(), model, cpuCount, machine);
        } catch (final RuntimeException failure) {
            machine.close();
            throw failure;
        }
    }

    /**
     * CPUs over physical memory the caller provides and keeps ownership of (for instance the sparse RAM built from
     * a firmware memory map).
     *
     * @param physical memory addressed by physical address
     * @throws IllegalArgumentException if {@code cpuCount} is below 1
     */
    public static Simulator over(final Memory physical, final CpuModel model, final int cpuCount) {
        return new Simulator(physical, model, cpuCount, null);
    }

    /**
     * A machine whose RAM covers physical addresses 0 to {@code ramBytes} without holes, zeroed; {@link #close}
     * releases it.
     *
     * @throws IllegalArgumentException if {@code ramBytes} is not a positive multiple of 4096, or {@code cpuCount}
     *                                  is below 1
     */
    public static Simulator withFlatRam(final long ramBytes, final CpuModel model, final int cpuCount) {
        final Arena arena = Arena.ofShared();
        try {
            return new Simulator(FlatPhysicalMemory.allocate(arena, ramBytes), model, cpuCount, arena::close);
        } catch (final RuntimeException failure) {
            arena.close();
            throw failure;
        }
    }

    /** @return the physical memory, addressed by physical address */
    public Memory physical() {
        return physical;
    }

    /** @return what the CPUs report in CPUID: MAXPHYADDR, 1 GiB pages */
    public CpuModel model() {
        return model;
    }

    /** @return the number of CPUs */
    public int cpuCount() {
        return cpus.length;
    }

    /**
     * @return CPU number {@code id}
     * @throws IndexOutOfBoundsException if there is no such CPU
     */
    public Cpu cpu(final int id) {
        return cpus[id];
    }

    /**
     * @return the raw 64-bit little-endian entry at {@code physAddr}
     * @throws IllegalArgumentException if {@code physAddr} is not 8-byte aligned
     */
    public long readEntry(final long physAddr) {
        checkEntryAddr(physAddr);
        return physical.getLong(physAddr);
    }

    /**
     * Stores a raw 64-bit entry at {@code physAddr}. TLBs are not told, as on hardware.
     *
     * @throws IllegalArgumentException if {@code physAddr} is not 8-byte aligned
     */
    public void writeEntry(final long physAddr, final long entry) {
        checkEntryAddr(physAddr);
        physical.setLong(physAddr, entry);
    }

    /**
     * Translates one access on CPU {@code cpuId}, through its TLB, as the access would be translated by hardware.
     *
     * @return the physical address and page size, a #PF with its error code and CR2, or a #GP
     */
    public AccessResult access(final int cpuId, final long virtAddr, final AccessKind kind, final boolean user) {
        return cpus[cpuId].access(virtAddr, kind, user);
    }

    /** @return a mapper over a new, empty top-level table taken from {@code frames} */
    public Mapper newAddressSpace(final FrameSource frames, final boolean fiveLevel) {
        return Mapper.create(physical, model, frames, fiveLevel);
    }

    /** @return memory addressed by virtual addresses, translated by CPU {@code cpuId} */
    public VirtualMemory virtualMemory(final int cpuId, final boolean user) {
        return new VirtualMemory(cpus[cpuId], physical, user);
    }

    /** Releases the RAM if this simulator allocated it; otherwise does nothing. Call it once. */
    @Override
    public void close() {
        if (owned != null) {
            try {
                owned.close();
            } catch (final Exception failure) {
                throw new IllegalStateException("could not release the machine's memory", failure);
            }
        }
    }

    private static void checkEntryAddr(final long physAddr) {
        if ((physAddr & 7) != 0) {
            throw new IllegalArgumentException("entry address is not 8-byte aligned: physAddr=0x"
                + Long.toHexString(physAddr));
        }
    }
}
