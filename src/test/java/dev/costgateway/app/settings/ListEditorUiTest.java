package dev.costgateway.app.settings;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import javafx.scene.Scene;
import javafx.scene.control.ListView;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import dev.costgateway.app.fx.AppTheme;

@Tag("ui")
@ExtendWith(ApplicationExtension.class)
class ListEditorUiTest {
    SettingField field;

    @Start
    void start(Stage stage) {
        field = new SettingField("escalation.phrases", "Escalation phrases", "", SettingField.Kind.LIST, List.of());
        field.load(List.of("I'm not sure", "I cannot"));
        AppTheme.LIGHT.apply();
        stage.setScene(new Scene(new ListEditor(field, "phrase"), 480, 300));
        stage.show();
    }

    @Test
    void addsATypedEntryOnceAndNeverABlankOne(FxRobot robot) {
        robot.clickOn("#escalation-phrases-add").write("  As an AI  ").type(KeyCode.ENTER);
        robot.write("i cannot").type(KeyCode.ENTER);
        robot.write("   ").type(KeyCode.ENTER);

        assertThat(field.items()).containsExactly("I'm not sure", "I cannot", "As an AI");
        assertThat(field.dirtyProperty().get()).isTrue();
        assertThat(robot.lookup("#escalation-phrases-add-button").queryButton().isDisabled()).as("field cleared")
                .isTrue();
    }

    @Test
    void editsAnEntryInPlaceAndAnEmptiedEntryGoesAway(FxRobot robot) {
        ListView<?> list = robot.lookup("#escalation-phrases").queryListView();
        robot.doubleClickOn(robot.from(list).lookup(".list-cell").nth(0).queryAs(javafx.scene.Node.class));
        robot.press(KeyCode.CONTROL, KeyCode.A).release(KeyCode.A, KeyCode.CONTROL);
        robot.write("I am not sure").type(KeyCode.ENTER);
        assertThat(field.items()).containsExactly("I am not sure", "I cannot");

        robot.doubleClickOn(robot.from(list).lookup(".list-cell").nth(1).queryAs(javafx.scene.Node.class));
        robot.press(KeyCode.CONTROL, KeyCode.A).release(KeyCode.A, KeyCode.CONTROL);
        robot.type(KeyCode.BACK_SPACE).type(KeyCode.ENTER);
        assertThat(field.items()).containsExactly("I am not sure");
    }

    @Test
    void removeDropsTheSelectedEntry(FxRobot robot) {
        ListView<?> list = robot.lookup("#escalation-phrases").queryListView();
        assertThat(robot.lookup("#escalation-phrases-remove").queryButton().isDisabled()).isTrue();
        robot.clickOn(robot.from(list).lookup(".list-cell").nth(1).queryAs(javafx.scene.Node.class));
        robot.clickOn("#escalation-phrases-remove");

        assertThat(field.items()).containsExactly("I'm not sure");
        robot.interact(() -> {
            list.getSelectionModel().select(0);
            list.requestFocus();
        });
        robot.type(KeyCode.DELETE);
        assertThat(field.items()).isEmpty();
    }
}
