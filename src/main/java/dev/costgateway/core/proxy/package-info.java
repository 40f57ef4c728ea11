/**
 * The client-facing Jetty server and the four proxy legs (client-to-proxy request, proxy-to-server request,
 * server-to-proxy response, proxy-to-client response). Bytes pass through untouched except the {@code model}
 * value routing chose; every decision about a request is delegated to a {@link dev.costgateway.core.proxy.MessagePolicy}.
 * All handling is asynchronous: no request thread waits on upstream, and a client that hangs up aborts its
 * upstream exchange. Times in logs and records are milliseconds; limits are bytes.
 */
package dev.costgateway.core.proxy;
