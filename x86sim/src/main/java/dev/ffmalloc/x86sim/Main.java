package dev.ffmalloc.x86sim;

/**
 * The command-line entry point: boots the default simulated machine and exercises the allocators on it.
 */
public final class Main {

    private Main() {
    }

    /** @param args options; none are needed */
    public static void main(final String[] args) {
        System.out.println("x86sim: not yet built");
    }
}
