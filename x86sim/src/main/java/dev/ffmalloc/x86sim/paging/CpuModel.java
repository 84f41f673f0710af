package dev.ffmalloc.x86sim.paging;

/**
 * What a simulated processor reports in CPUID and what its paging unit therefore accepts.
 *
 * <p>The default MAXPHYADDR is 46 bits, what Intel Xeon server parts such as Skylake-SP and Cascade Lake report in
 * CPUID.80000008H:EAX[7:0], and the value Linux uses as {@code MAX_PHYSMEM_BITS} with 4-level paging: 64 TiB of
 * physical address space, enough for any machine this simulator backs with real memory, and small enough that
 * bits 51:46 of an entry are reserved, so the RSVD checks on high address bits are exercised.
 *
 * @param maxPhysAddrBits MAXPHYADDR, 36 to 52: bits M-1:12 of an entry hold the address, bits 51:M are reserved
 * @param gigabytePages   whether 1 GiB pages exist (CPUID.80000001H:EDX[26]); if not, PS in a PDPTE is reserved
 */
public record CpuModel(int maxPhysAddrBits, boolean gigabytePages) {

    /** A processor with MAXPHYADDR 46 and 1 GiB pages. */
    public static final CpuModel DEFAULT = new CpuModel(46, true);

    /**
     * @throws IllegalArgumentException if {@code maxPhysAddrBits} is outside 36 to 52
     */
    public CpuModel {
        if (maxPhysAddrBits < 36 || maxPhysAddrBits > 52) {
            throw new IllegalArgumentException("MAXPHYADDR must be 36 to 52: maxPhysAddrBits=" + maxPhysAddrBits);
        }
    }

    /** @return the mask of address bits M-1:12 of an entry or CR3 */
    public long addressMask() {
        return ((1L << maxPhysAddrBits) - 1) & ~0xFFFL;
    }

    /** @return the mask of bits 51:M, reserved in every present entry (empty when M is 52) */
    public long highPhysReservedMask() {
        return (PhysAddr.LIMIT - 1) & ~((1L << maxPhysAddrBits) - 1);
    }
}
