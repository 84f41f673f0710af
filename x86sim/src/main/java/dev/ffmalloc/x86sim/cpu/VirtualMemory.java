package dev.ffmalloc.x86sim.cpu;

import dev.ffmalloc.memory.Memory;

/**
 * {@link Memory} addressed by virtual addresses: every access is translated by one {@link Cpu} (its TLB first, a
 * page walk on a miss, A and D set as hardware sets them) and lands in the machine's physical memory. The runtime's
 * allocators run on it unchanged.
 *
 * <p>A fault surfaces as a {@link CpuFaultException} carrying the vector, error code and address; the access has
 * then not happened. Loads and stores of 2, 4 and 8 bytes must be naturally aligned, as the {@link Memory} contract
 * says, so they never straddle a page; {@link #fill} and {@link #copy} are split at every 4 KiB boundary of source
 * and destination and translate each piece. Like a {@code REP MOVS} that faults half-way, a fill or copy that faults
 * has done the pieces before the faulting one. If two virtual pages of a copy's source and destination alias one
 * frame, the copy is done piece by piece in the direction {@code memmove} picks for the virtual addresses.
 *
 * <p>Single-threaded like its CPU; wrap the allocator on top in a {@code LockedAllocator} to share it.
 */
public final class VirtualMemory implements Memory {

    private static final long PAGE_BYTES = 4096;
    private static final long PAGE_MASK = PAGE_BYTES - 1;

    private final Cpu cpu;
    private final Memory physical;
    private final boolean user;

    /**
     * @param cpu      the processor whose TLB and page tables translate
     * @param physical the machine's physical memory, the same the CPU's page tables live in
     * @param user     whether accesses are user-mode (CPL 3) rather than supervisor-mode
     */
    public VirtualMemory(final Cpu cpu, final Memory physical, final boolean user) {
        this.cpu = cpu;
        this.physical = physical;
        this.user = user;
    }

    /** @return the CPU that translates */
    public Cpu cpu() {
        return cpu;
    }

    @Override
    public byte getByte(final long address) {
        return physical.getByte(cpu.translateOrThrow(address, AccessKind.READ, user));
    }

    @Override
    public void setByte(final long address, final byte value) {
        physical.setByte(cpu.translateOrThrow(address, AccessKind.WRITE, user), value);
    }

    @Override
    public short getShort(final long address) {
        Memory.checkAligned(address, Short.BYTES);
        return physical.getShort(cpu.translateOrThrow(address, AccessKind.READ, user));
    }

    @Override
    public void setShort(final long address, final short value) {
        Memory.checkAligned(address, Short.BYTES);
        physical.setShort(cpu.translateOrThrow(address, AccessKind.WRITE, user), value);
    }

    @Override
    public int getInt(final long address) {
        Memory.checkAligned(address, Integer.BYTES);
        return physical.getInt(cpu.translateOrThrow(address, AccessKind.READ, user));
    }

    @Override
    public void setInt(final long address, final int value) {
        Memory.checkAligned(address, Integer.BYTES);
        physical.setInt(cpu.translateOrThrow(address, AccessKind.WRITE, user), value);
    }

    @Override
    public long getLong(final long address) {
        Memory.checkAligned(address, Long.BYTES);
        return physical.getLong(cpu.translateOrThrow(address, AccessKind.READ, user));
    }

    @Override
    public void setLong(final long address, final long value) {
        Memory.checkAligned(address, Long.BYTES);
        physical.setLong(cpu.translateOrThrow(address, AccessKind.WRITE, user), value);
    }

    @Override
    public void fill(final long address, final long byteSize, final byte value) {
        checkSize(address, byteSize);
        long done = 0;
        while (done < byteSize) {
            final long virtAddr = address + done;
            final long piece = Math.min(byteSize - done, PAGE_BYTES - (virtAddr & PAGE_MASK));
            physical.fill(cpu.translateOrThrow(virtAddr, AccessKind.WRITE, user), piece, value);
            done += piece;
        }
    }

    @Override
    public void copy(final long srcAddress, final long dstAddress, final long byteSize) {
        checkSize(srcAddress, byteSize);
        final boolean backward = dstAddress - srcAddress > 0 && dstAddress - srcAddress < byteSize;
        if (backward) {
            copyBackward(srcAddress, dstAddress, byteSize);
            return;
        }
        long done = 0;
        while (done < byteSize) {
            final long src = srcAddress + done;
            final long dst = dstAddress + done;
            final long piece = Math.min(byteSize - done,
                Math.min(PAGE_BYTES - (src & PAGE_MASK), PAGE_BYTES - (dst & PAGE_MASK)));
            copyPiece(src, dst, piece);
            done += piece;
        }
    }

    /** The overlapping case with the destination above the source: pieces from the end, as memmove does. */
    private void copyBackward(final long srcAddress, final long dstAddress, final long byteSize) {
        long left = byteSize;
        while (left > 0) {
            final long srcEnd = srcAddress + left;
            final long dstEnd = dstAddress + left;
            final long piece = Math.min(left, Math.min(((srcEnd - 1) & PAGE_MASK) + 1, ((dstEnd - 1) & PAGE_MASK) + 1));
            copyPiece(srcEnd - piece, dstEnd - piece, piece);
            left -= piece;
        }
    }

    private void copyPiece(final long src, final long dst, final long piece) {
        final long srcPhysAddr = cpu.translateOrThrow(src, AccessKind.READ, user);
        final long dstPhysAddr = cpu.translateOrThrow(dst, AccessKind.WRITE, user);
        physical.copy(srcPhysAddr, dstPhysAddr, piece);
    }


    private static void checkSize(final long address, final long byteSize) {
        if (byteSize < 0) {
            throw new IllegalArgumentException("size is negative: addr=0x" + Long.toHexString(address)
                + ", byteSize=" + byteSize);
        }
    }

    @Override
    public String toString() {
        return "VirtualMemory[cpu=" + cpu.id() + ", " + (user ? "user" : "supervisor") + "]";
    }
}
