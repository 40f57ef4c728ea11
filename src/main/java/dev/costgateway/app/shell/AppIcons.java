package dev.costgateway.app.shell;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import javafx.scene.image.Image;
import javafx.stage.Stage;

/** The window icon in the sizes window managers and task bars pick from. */
public final class AppIcons {
    static final int[] SIZES = {32, 64, 128, 256};
    private static final String PATH = "/dev/costgateway/app/icons/cost-gateway-%d.png";

    private AppIcons() {
    }

    /** Every size found on the class path, smallest first. */
    public static List<Image> load() {
        List<Image> images = new ArrayList<>();
        for (int size : SIZES) {
            try (InputStream in = AppIcons.class.getResourceAsStream(String.format(PATH, size))) {
                if (in != null) {
                    Image image = new Image(in);
                    if (!image.isError()) {
                        images.add(image);
                    }
                }
            } catch (java.io.IOException e) {
                // a missing size only costs the window manager a scaled icon
            }
        }
        return images;
    }

    public static void apply(Stage stage) {
        stage.getIcons().setAll(load());
    }
}
