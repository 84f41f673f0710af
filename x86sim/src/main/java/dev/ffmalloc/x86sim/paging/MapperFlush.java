package dev.ffmalloc.x86sim.paging;

import java.util.List;

/**
 * The TLB invalidation a page-table change needs, returned by every {@link Mapper} change: the caller must
 * {@link #flush} it on the CPUs that may cache the old translation, or {@link #ignore} it on purpose (a mapping no
 * CPU can have cached yet, a CPU about to write CR3).
 *
 * <p>Java cannot force a return value to be used, so the mapper checks instead: with assertions enabled, its next
 * change fails while a token it returned is neither flushed nor ignored, and so does every page walk of a CPU that
 * {@linkplain dev.ffmalloc.x86sim.cpu.Cpu#watch watches} the mapper. Either call resolves the token; resolving
 * twice is allowed and the second call does nothing more than invalidate again.
 */
public final class MapperFlush {

    private final Mapper owner;
    private final long virtAddr;
    private final boolean all;
    private boolean resolved;

    MapperFlush(final Mapper owner, final long virtAddr, final boolean all) {
        this.owner = owner;
        this.virtAddr = virtAddr;
        this.all = all;
    }

    /** Invalidates on {@code cpu}: the page (INVLPG), or the whole TLB if the change touched more than a page. */
    public void flush(final TlbInvalidation cpu) {
        if (all) {
            cpu.invalidateAll();
        } else {
            cpu.invalidatePage(new VirtAddr(virtAddr));
        }
        resolve();
    }

    /** Invalidates on every CPU in {@code cpus} (a TLB shootdown). */
    public void flush(final List<? extends TlbInvalidation> cpus) {
        for (final TlbInvalidation cpu : cpus) {
            flush(cpu);
        }
        resolve();
    }

    /** Declares that no CPU needs the invalidation. */
    public void ignore() {
        resolve();
    }

    private void resolve() {
        if (!resolved) {
            resolved = true;
            owner.resolved(this);
        }
    }

    /** @return whether the whole TLB must be flushed rather than one page */
    public boolean flushesAll() {
        return all;
    }

    /** @return the page to invalidate (for a whole-TLB flush: the first page the change touched) */
    public VirtAddr page() {
        return new VirtAddr(virtAddr);
    }

    /** @return whether {@link #flush} or {@link #ignore} was called */
    public boolean isResolved() {
        return resolved;
    }

    @Override
    public String toString() {
        return "MapperFlush[" + (all ? "all" : "page") + ", virtAddr=0x" + Long.toHexString(virtAddr) + ", resolved="
            + resolved + "]";
    }
}
