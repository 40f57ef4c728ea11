package dev.costgateway.app.budgets;

import java.awt.GraphicsEnvironment;
import java.awt.SystemTray;
import java.awt.TrayIcon;
import java.awt.image.BufferedImage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A desktop notification (the system tray's balloon) for budget alerts. Where the desktop has no tray (many Linux
 * desktops, headless machines) nothing is shown outside the window; the window's own banner and status bar still
 * say it. Called on the FX thread; the AWT work is cheap.
 */
public interface DesktopNotifier {

    void notify(String title, String message);

    /** Nothing outside the window. */
    DesktopNotifier NONE = (title, message) -> { };

    /** Creates the real notifier at the first notification. */
    static DesktopNotifier lazy(java.util.function.Supplier<DesktopNotifier> factory) {
        return new DesktopNotifier() {
            private DesktopNotifier real;

            @Override
            public void notify(String title, String message) {
                if (real == null) {
                    real = factory.get();
                }
                real.notify(title, message);
            }
        };
    }

    /** The system tray when there is one, else {@link #NONE}. */
    static DesktopNotifier tray() {
        try {
            if (GraphicsEnvironment.isHeadless() || !SystemTray.isSupported()) {
                return NONE;
            }
        } catch (RuntimeException | LinkageError e) {
            return NONE;
        }
        return new DesktopNotifier() {
            private final Logger log = LoggerFactory.getLogger(DesktopNotifier.class);
            private TrayIcon icon;

            @Override
            public void notify(String title, String message) {
                try {
                    if (icon == null) {
                        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_ARGB);
                        java.awt.Graphics2D g = img.createGraphics();
                        g.setColor(new java.awt.Color(0x0969da));
                        g.fillRoundRect(0, 0, 16, 16, 5, 5);
                        g.dispose();
                        icon = new TrayIcon(img, "Cost Gateway");
                        icon.setImageAutoSize(true);
                        SystemTray.getSystemTray().add(icon);
                    }
                    icon.displayMessage(title, message, TrayIcon.MessageType.WARNING);
                } catch (Exception | LinkageError e) {
                    log.info("no desktop notification ({}): {} {}", e.toString(), title, message);
                }
            }
        };
    }
}
