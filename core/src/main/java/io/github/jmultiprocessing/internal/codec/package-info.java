/**
 * Objects to message bytes and back (CPython's {@code reduction.py}): what queues, pipes, pools and managers put
 * in a message.
 *
 * <p>{@link io.github.jmultiprocessing.internal.codec.MessageCodec} writes numbers, strings and primitive arrays on
 * fast paths straight into ring memory and reads them from where they lie; anything else is a Java serialization
 * stream, always read through an {@link java.io.ObjectInputFilter} (the library's own, or the one the user set).
 * {@link io.github.jmultiprocessing.internal.codec.LambdaCodec} sends a serializable lambda or method reference in a
 * compact form whose shape is written and read once per lambda class, so a pool call pays only for its captured
 * values. Every decoder checks every length and tag against the bytes it has: bad bytes end in an
 * {@link java.io.IOException}, never a huge allocation or a class loaded before the filter has seen it.
 *
 * <p>Depends on nothing else of the library.
 */
package io.github.jmultiprocessing.internal.codec;
