package io.github.jmultiprocessing;

import java.io.IOException;
import java.io.Serial;

/**
 * A {@link Listener} and a {@link Client} did not prove to each other that they share the authkey: Python's
 * {@code multiprocessing.AuthenticationError}. The socket is closed; nothing was deserialized.
 */
public final class AuthenticationException extends IOException {

    @Serial
    private static final long serialVersionUID = 1L;

    AuthenticationException(String message, Throwable cause) {
        super(message, cause);
    }
}
