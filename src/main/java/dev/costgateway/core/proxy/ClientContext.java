package dev.costgateway.core.proxy;

/**
 * What the gateway knows about the caller of one request.
 *
 * @param credential    the API key or authorization value the request is made with (the client's, or the one the
 *                      gateway injected); used only to scope caches. Never log it; {@link #toString()} hides it.
 * @param cacheOptOut   {@code X-Gateway-Cache: off} or {@code Cache-Control: no-cache} was sent
 * @param routeBypass   {@code X-Gateway-Route: off} was sent
 */
public record ClientContext(String credential, boolean cacheOptOut, boolean routeBypass) {
    @Override
    public String toString() {
        return "ClientContext[credential=***, cacheOptOut=" + cacheOptOut + ", routeBypass=" + routeBypass + "]";
    }
}
