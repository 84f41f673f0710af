package dev.ffmalloc.buddy;

/**
 * The state word a buddy allocator keeps for every minimum block of its span, in either metadata placement: what
 * the minimum block is part of and, at the first minimum block of a block (its head), the block's order.
 *
 * <pre>
 *   7   6 5                     0
 *  +-----+-----------------------+
 *  |KIND |         ORDER         |
 *  +-----+-----------------------+
 * </pre>
 * Kinds: {@link #NOT_MANAGED} (0: never added, so a zeroed table manages nothing), {@link #INSIDE} (1: a managed
 * minimum block that is not the head of a block), {@code FREE} (2) and {@code USED} (3), which only heads carry.
 * Invariants: a word is a head ({@link #isHead}) iff it is the first minimum block of a free or used block; every
 * other minimum block of that block is {@code INSIDE}; {@code ORDER} is 0 unless the word is a head.
 */
final class BlockState {

    /** Bits of the order field: orders up to 63 fit, {@code BuddyConfig.MAX_BLOCK_SHIFT} keeps them below. */
    static final int ORDER_BITS = 6;

    /** Mask of the order field. */
    static final int ORDER_MASK = (1 << ORDER_BITS) - 1;

    /** Mask of the kind field. */
    static final int KIND_MASK = 0b11 << ORDER_BITS;

    /** A minimum block that was never added: not part of the heap. */
    static final int NOT_MANAGED = 0;

    /** A managed minimum block inside a block that starts at a lower address. */
    static final int INSIDE = 1 << ORDER_BITS;

    /** Kind of the head of a free block. */
    static final int FREE_KIND = 2 << ORDER_BITS;

    /** Kind of the head of a used block; the largest kind, so {@code word >= FREE_KIND} means a head. */
    static final int USED_KIND = 3 << ORDER_BITS;

    private BlockState() {
    }

    /** @return the word of the head of a free block of {@code order} */
    static int free(final int order) {
        return FREE_KIND | order;
    }

    /** @return the word of the head of a used block of {@code order} */
    static int used(final int order) {
        return USED_KIND | order;
    }

    /** @return the order field of {@code word} */
    static int order(final int word) {
        return word & ORDER_MASK;
    }

    /** @return the kind field of {@code word} */
    static int kind(final int word) {
        return word & KIND_MASK;
    }

    /** @return whether {@code word} is the head of a free or used block */
    static boolean isHead(final int word) {
        return word >= FREE_KIND;
    }

    /** @return whether {@code word} is the head of a used block */
    static boolean isUsed(final int word) {
        return kind(word) == USED_KIND;
    }

    /** @return whether {@code word} is the head of a free block */
    static boolean isFree(final int word) {
        return kind(word) == FREE_KIND;
    }

    /** @return the word in words, for messages: {@code not managed}, {@code inside}, {@code free order 3}, ... */
    static String describe(final int word) {
        return switch (kind(word)) {
            case NOT_MANAGED -> word == NOT_MANAGED ? "not managed" : "invalid " + word;
            case INSIDE -> word == INSIDE ? "inside" : "invalid " + word;
            case FREE_KIND -> "free order " + order(word);
            default -> "used order " + order(word);
        };
    }
}
