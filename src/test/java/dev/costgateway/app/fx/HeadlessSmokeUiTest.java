package dev.costgateway.app.fx;

import static org.assertj.core.api.Assertions.assertThat;

import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

@Tag("ui")
@ExtendWith(ApplicationExtension.class)
class HeadlessSmokeUiTest {
    private Label label;

    @Start
    void start(Stage stage) {
        label = new Label("before");
        Button b = new Button("Click");
        b.setId("click");
        b.setOnAction(e -> label.setText("after"));
        stage.setScene(new Scene(new VBox(b, label), 200, 100));
        stage.show();
    }

    @Test
    void clickingAButtonChangesTheLabel(FxRobot robot) {
        robot.clickOn("#click");
        assertThat(label.getText()).isEqualTo("after");
    }
}
