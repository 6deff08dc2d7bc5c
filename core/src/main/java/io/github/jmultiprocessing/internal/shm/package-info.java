/**
 * Named shared-memory segments over mmap'd files, their headers, the per-JVM mapping table, the shared heap
 * that carves small objects out of large arenas and takes them back once no process holds them, and the ledger
 * that unlinks what a process created when it exits (or, after a {@code kill -9}, when the next library JVM
 * starts). Every segment's pages are allocated when it is created ({@code SegmentBacking}, a restricted
 * {@code posix_fallocate} call where native access is enabled), so a full directory fails the creation with an
 * exception naming it, never a later write with a {@code SIGBUS}.
 *
 * <p>Depends on nothing else of the library.
 */
package io.github.jmultiprocessing.internal.shm;
