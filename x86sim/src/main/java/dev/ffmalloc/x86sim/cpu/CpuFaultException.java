package dev.ffmalloc.x86sim.cpu;

/**
 * A fault raised by an access through {@link VirtualMemory} (or {@link Cpu#translateOrThrow}): the vector, the
 * error code and the faulting linear address, as an exception handler would see them.
 */
public final class CpuFaultException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int vector;
    private final int errorCode;
    private final long virtAddr;

    /**
     * @param vector    {@link ExceptionVector#PAGE_FAULT} or {@link ExceptionVector#GENERAL_PROTECTION}
     * @param errorCode the pushed error code
     * @param virtAddr  the faulting linear address (CR2 for a #PF)
     */
    public CpuFaultException(final int vector, final int errorCode, final long virtAddr) {
        super(message(vector, errorCode, virtAddr));
        this.vector = vector;
        this.errorCode = errorCode;
        this.virtAddr = virtAddr;
    }

    private static String message(final int vector, final int errorCode, final long virtAddr) {
        final String reason = vector == ExceptionVector.PAGE_FAULT ? PageFaultErrorCode.describe(errorCode)
            : "non-canonical address";
        return (vector == ExceptionVector.PAGE_FAULT ? "page fault" : "general protection fault") + ": vector="
            + vector + ", errorCode=0x" + Integer.toHexString(errorCode) + ", addr=0x" + Long.toHexString(virtAddr)
            + ", reason=" + reason;
    }

    /** @return the interrupt vector */
    public int vector() {
        return vector;
    }

    /** @return the error code */
    public int errorCode() {
        return errorCode;
    }

    /** @return the faulting linear address */
    public long virtAddr() {
        return virtAddr;
    }
}
