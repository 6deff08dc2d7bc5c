package io.github.jmultiprocessing;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** The built-in codecs of {@link Codec}: enum constants, so that they travel as themselves. */
@SuppressWarnings({"rawtypes", "unchecked"})
enum BuiltinCodec implements Codec {
    /** {@link Codec#longs()}. */
    LONGS {
        @Override
        public int size(Object value) {
            return 8;
        }

        @Override
        public void write(Object value, MemorySegment dst) {
            dst.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, (Long) value);
        }

        @Override
        public Object read(MemorySegment src) {
            return src.get(ValueLayout.JAVA_LONG_UNALIGNED, checkSize(src, 8, "longs()"));
        }
    },
    /** {@link Codec#ints()}. */
    INTS {
        @Override
        public int size(Object value) {
            return 4;
        }

        @Override
        public void write(Object value, MemorySegment dst) {
            dst.set(ValueLayout.JAVA_INT_UNALIGNED, 0, (Integer) value);
        }

        @Override
        public Object read(MemorySegment src) {
            return src.get(ValueLayout.JAVA_INT_UNALIGNED, checkSize(src, 4, "ints()"));
        }
    },
    /** {@link Codec#bytes()}. */
    BYTES {
        @Override
        public int size(Object value) {
            return ((byte[]) value).length;
        }

        @Override
        public void write(Object value, MemorySegment dst) {
            MemorySegment.copy((byte[]) value, 0, dst, ValueLayout.JAVA_BYTE, 0, ((byte[]) value).length);
        }

        @Override
        public Object read(MemorySegment src) {
            return src.toArray(ValueLayout.JAVA_BYTE);
        }
    };

    /**
     * Checks that {@code src} is exactly a value's size; {@return 0, the value's offset}
     *
     * @throws java.io.UncheckedIOException wrapping a {@link java.io.StreamCorruptedException} otherwise (a corrupt
     *                                      record length: the element is not what was written)
     */
    private static long checkSize(MemorySegment src, int size, String codec) {
        if (src.byteSize() != size) {
            throw new java.io.UncheckedIOException(new java.io.StreamCorruptedException("element of "
                    + src.byteSize() + " bytes (expected " + size + " for Codec." + codec + ")"));
        }
        return 0;
    }
}
