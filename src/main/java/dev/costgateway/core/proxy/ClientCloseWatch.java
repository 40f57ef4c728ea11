package dev.costgateway.core.proxy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;

import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Callback;

/**
 * Notices an HTTP/1.1 client closing its connection while the gateway neither reads from it nor writes to it,
 * i.e. while a request body has been read in full and the answer is still pending upstream. Jetty only learns of
 * a closed connection when it reads or writes, and it reads no more once the body is complete, so without this a
 * client that gives up on a slow non-streaming answer leaves the upstream request running to the end.
 *
 * <p>It registers read interest on the connection's endpoint for that window only. When the endpoint becomes
 * readable it reads: end of stream or a read error means the client is gone; bytes mean the client already sent
 * its next (pipelined) request, which are handed back to the connection, where Jetty parses them after the current
 * response. {@link #stop()} must be called before anything is written to the client (Jetty refuses to complete a
 * response while a read is pending). Thread-safe; one watch per upstream wait.
 */
final class ClientCloseWatch {

    private enum State { NEW, WATCHING, STOPPED }

    private final AbstractEndPoint endPoint;
    private final Connection connection;
    private final Consumer<Throwable> onClosed;
    private final Interest interest = new Interest();
    private State state = State.NEW;

    private ClientCloseWatch(AbstractEndPoint endPoint, Connection connection, Consumer<Throwable> onClosed) {
        this.endPoint = endPoint;
        this.connection = connection;
        this.onClosed = onClosed;
    }

    /**
     * A watch for this request's connection, not yet started; a no-op watch when the transport is not a plain
     * HTTP/1 endpoint this class knows how to watch.
     */
    static ClientCloseWatch of(Request request, Consumer<Throwable> onClosed) {
        Connection connection = request.getConnectionMetaData().getConnection();
        EndPoint endPoint = connection.getEndPoint();
        if (endPoint instanceof AbstractEndPoint ep && connection instanceof Connection.UpgradeTo) {
            return new ClientCloseWatch(ep, connection, onClosed);
        }
        return new ClientCloseWatch(null, connection, onClosed);
    }

    /** Starts watching, unless already started or stopped (a stop that came first wins). */
    synchronized void start() {
        if (state != State.NEW || endPoint == null) {
            return;
        }
        state = State.WATCHING;
        if (!endPoint.tryFillInterested(interest)) {
            state = State.STOPPED; // someone else reads the connection: it will see the close itself
        }
    }

    /** Stops watching; after it returns no read is pending and no callback of this watch runs. Idempotent. */
    synchronized void stop() {
        if (state == State.WATCHING) {
            state = State.STOPPED;
            endPoint.getFillInterest().onFail(new CancellationException("client close watch stopped"));
        }
        state = State.STOPPED;
    }

    private final class Interest implements Callback {
        @Override
        public void succeeded() {
            Throwable gone = null;
            synchronized (ClientCloseWatch.this) {
                if (state != State.WATCHING) {
                    return;
                }
                ByteBuffer buffer = ByteBuffer.allocate(4096);
                buffer.flip();
                try {
                    int filled = endPoint.fill(buffer);
                    if (filled < 0) {
                        gone = new EofException("the client closed the connection");
                    } else if (filled > 0) {
                        ((Connection.UpgradeTo) connection).onUpgradeTo(buffer);
                        state = State.STOPPED;
                    } else if (!endPoint.tryFillInterested(this)) {
                        state = State.STOPPED;
                    }
                } catch (IOException e) {
                    gone = e;
                }
                if (gone != null) {
                    state = State.STOPPED;
                }
            }
            if (gone != null) {
                onClosed.accept(gone);
            }
        }

        @Override
        public void failed(Throwable x) {
            boolean watching;
            synchronized (ClientCloseWatch.this) {
                watching = state == State.WATCHING;
                state = State.STOPPED;
            }
            if (watching) {
                onClosed.accept(x); // the endpoint was closed under us
            }
        }
    }
}
