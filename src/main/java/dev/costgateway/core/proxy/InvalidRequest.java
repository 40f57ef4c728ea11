package dev.costgateway.core.proxy;

/** Thrown for a request body the gateway refuses; the message names the field. */
final class InvalidRequest extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidRequest(String message) {
        super(message, null, false, false);
    }
}
