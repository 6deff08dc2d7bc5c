/**
 * The library's configuration: every system property it reads, read in one place ({@link
 * io.github.jmultiprocessing.internal.config.Configuration}). A leaf: it uses nothing of the library, and every
 * other package may use it.
 */
package io.github.jmultiprocessing.internal.config;
