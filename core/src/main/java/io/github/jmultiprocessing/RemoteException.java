package io.github.jmultiprocessing;

import java.io.Serial;

/**
 * A manager's server could not carry out a proxy's call: Python's {@code multiprocessing.managers.RemoteError}.
 * The method is not exposed or not one of the proxy's interface, the object is no longer held, or an argument or
 * the result cannot be read or sent. The served object's own exceptions are not wrapped in it: they are re-thrown
 * with their own type.
 *
 * <p>Its cause is a {@link RemoteTraceback}: the server's stack trace, as text. (Not related to
 * {@code java.rmi.RemoteException}: the name follows Python's, as {@link AuthenticationException} does.)
 */
public final class RemoteException extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    RemoteException(String message, Throwable cause) {
        super(message, cause);
    }
}
