package io.github.jmultiprocessing.testing;

import io.github.jmultiprocessing.SharedJoinableQueue;
import io.github.jmultiprocessing.SharedQueue;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/**
 * Messages that say who sent them and check themselves, for the fault suite: a receiver tells a whole message from
 * garbage (a piece of another, a torn copy, bytes never sent) without trusting the library.
 *
 * <pre>
 *   0   int magic, int sender, int sequence number, int length (of the whole message)
 *   16  long CRC32C of bytes 0-15 and 24-end
 *   24  body: bytes of a random block, from an offset that depends on the sequence number
 * </pre>
 */
public final class CheckedMessages {

    /** Bytes before the body. */
    public static final int HEADER = 24;

    /** The largest message {@link #length} draws. */
    public static final int MAX = 1 << 20;

    private static final int MAGIC = 0x4A4D_5046;
    private static final int SPREAD = 4096;

    private final int sender;
    private final byte[] block;

    /**
     * @param sender who sends (its number, in every message)
     * @param seed   the random block's seed
     */
    public CheckedMessages(int sender, long seed) {
        this.sender = sender;
        this.block = new byte[MAX + SPREAD];
        new SplittableRandom(seed).nextBytes(block);
    }

    /**
     * {@return a message length between 64 KiB and 1 MiB, mixing the sizes at a 64 KiB ring's edges with uniform
     * ones}
     *
     * @param random the source
     */
    public static int length(SplittableRandom random) {
        return switch (random.nextInt(8)) {
            case 0 -> 64 * 1024 - 640; // about what one ring holds whole
            case 1 -> 64 * 1024 + 1;
            case 2 -> MAX;
            default -> random.nextInt(64 * 1024, MAX + 1);
        };
    }

    /**
     * {@return message number {@code seq} of this sender, {@code length} bytes}
     *
     * @param seq    its sequence number
     * @param length its length, at least {@link #HEADER}
     */
    public byte[] make(int seq, int length) {
        byte[] message = new byte[length];
        ByteBuffer header = ByteBuffer.wrap(message);
        header.putInt(MAGIC).putInt(sender).putInt(seq).putInt(length);
        System.arraycopy(block, Math.floorMod(seq * 61, SPREAD), message, HEADER, length - HEADER);
        header.putLong(16, crc(message));
        return message;
    }

    private static long crc(byte[] message) {
        CRC32C crc = new CRC32C();
        crc.update(message, 0, 16);
        crc.update(message, HEADER, message.length - HEADER);
        return crc.getValue();
    }

    /** A message that checked: who sent it and its number. */
    public record Checked(int sender, int seq) {
    }

    /**
     * Checks a received message.
     *
     * @param message what was received
     * @return its sender and number
     * @throws IllegalArgumentException saying what is wrong, if it is not a whole message as sent
     */
    public static Checked check(Object message) {
        if (!(message instanceof byte[] bytes)) {
            throw new IllegalArgumentException("message=" + (message == null ? null : message.getClass())
                    + " (expected byte[])");
        }
        if (bytes.length < HEADER) {
            throw new IllegalArgumentException("message length=" + bytes.length + " (expected >= " + HEADER + ")");
        }
        ByteBuffer header = ByteBuffer.wrap(bytes);
        int magic = header.getInt(0);
        int length = header.getInt(12);
        if (magic != MAGIC || length != bytes.length) {
            throw new IllegalArgumentException("magic=0x" + Integer.toHexString(magic) + " length=" + length
                    + " of " + bytes.length + " bytes (expected 0x" + Integer.toHexString(MAGIC) + " and "
                    + bytes.length + ")");
        }
        long stored = header.getLong(16);
        long computed = crc(bytes);
        if (stored != computed) {
            throw new IllegalArgumentException("checksum=" + Long.toHexString(stored) + " of sender "
                    + header.getInt(4) + " seq " + header.getInt(8) + " (expected " + Long.toHexString(computed)
                    + ")");
        }
        return new Checked(header.getInt(4), header.getInt(8));
    }

    /**
     * {@return the queue a trial runs on, by trial number: unbounded, bounded (6) and joinable (6) in turn}
     *
     * @param trial the trial's number
     */
    public static SharedQueue<byte[]> queueFor(int trial) {
        return switch (trial % 3) {
            case 0 -> new SharedQueue<>();
            case 1 -> new SharedQueue<>(6);
            default -> new SharedJoinableQueue<>(6);
        };
    }

    /**
     * {@return how a trial's queue is named in its details, with the seed}
     *
     * @param trial the trial's number
     * @param seed  the trial's seed
     */
    public static String queueName(int trial, long seed) {
        int kind = trial % 3;
        String queue = kind == 0 ? "SharedQueue()" : kind == 1 ? "SharedQueue(6)" : "SharedJoinableQueue(6)";
        return queue + " seed=" + seed;
    }
}
