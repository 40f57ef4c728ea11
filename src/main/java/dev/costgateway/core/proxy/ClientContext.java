package dev.costgateway.core.proxy;

/**
 * What the gateway knows about the caller of one request.
 *
 * @param credential    the API key or authorization value the request is made with (the client's, or the one the
 *                      gateway injected); used only to scope caches. Never log it; {@link #toString()} hides it.
 * @param cacheOptOut   {@code X-Gateway-Cache: off} or {@code Cache-Control: no-cache} was sent
 * @param routeBypass   {@code X-Gateway-Route: off} was sent
 * @param queryId       the request's {@code X-Gateway-Query-ID} (so a cache hit can be rejected later); may be empty
 * @param cacheRefresh  {@code X-Gateway-Cache: refresh} was sent: no cache answers it, but its answer is stored
 *                      (a re-ask after a wrong hit)
 */
public record ClientContext(String credential, boolean cacheOptOut, boolean routeBypass, String queryId,
                            boolean cacheRefresh) {

    public ClientContext(String credential, boolean cacheOptOut, boolean routeBypass) {
        this(credential, cacheOptOut, routeBypass, "", false);
    }

    @Override
    public String toString() {
        return "ClientContext[credential=***, cacheOptOut=" + cacheOptOut + ", routeBypass=" + routeBypass
                + ", cacheRefresh=" + cacheRefresh + "]";
    }
}
