/**
 * Named shared-memory segments over mmap'd files, their headers, the per-JVM mapping table, the shared heap
 * that carves small objects out of large arenas and takes them back once no process holds them, and the ledger
 * that unlinks what a process created when it exits (or, after a {@code kill -9}, when the next library JVM
 * starts).
 *
 * <p>Depends on nothing else of the library.
 */
package io.github.jmultiprocessing.internal.shm;
