package dev.ffmalloc.x86sim.cpu;

import dev.ffmalloc.x86sim.paging.PageSize;
import dev.ffmalloc.x86sim.paging.PhysAddr;

/**
 * The outcome of one access through a CPU's paging unit: a physical address, or the fault the processor would
 * raise.
 */
public sealed interface AccessResult {

    /**
     * The access succeeded.
     *
     * @param physAddr the physical address the access goes to
     * @param pageSize the size of the page that translated it
     */
    record Translated(PhysAddr physAddr, PageSize pageSize) implements AccessResult {
    }

    /**
     * The access raised #PF (vector 14).
     *
     * @param errorCode the pushed error code, see {@link PageFaultErrorCode}
     * @param cr2       the value CR2 received: the faulting linear address
     */
    record PageFault(int errorCode, long cr2) implements AccessResult {

        /** @return {@link ExceptionVector#PAGE_FAULT} */
        public int vector() {
            return ExceptionVector.PAGE_FAULT;
        }

        @Override
        public String toString() {
            return "PageFault[errorCode=0x" + Integer.toHexString(errorCode) + " ("
                + PageFaultErrorCode.describe(errorCode) + "), cr2=0x" + Long.toHexString(cr2) + "]";
        }
    }

    /**
     * The access raised #GP(0) (vector 13): the address is not canonical. CR2 is unchanged.
     *
     * @param virtAddr the non-canonical address
     */
    record GeneralProtection(long virtAddr) implements AccessResult {

        /** @return {@link ExceptionVector#GENERAL_PROTECTION} */
        public int vector() {
            return ExceptionVector.GENERAL_PROTECTION;
        }

        /** @return 0: a non-canonical access pushes error code 0 */
        public int errorCode() {
            return 0;
        }

        @Override
        public String toString() {
            return "GeneralProtection[virtAddr=0x" + Long.toHexString(virtAddr) + "]";
        }
    }
}
