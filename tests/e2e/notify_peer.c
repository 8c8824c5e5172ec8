/*
 * notify_peer.c: a notification server for the tests: it owns org.freedesktop.Notifications
 * on the session bus of DBUS_SESSION_BUS_ADDRESS, answers Notify (an id), GetCapabilities,
 * GetServerInformation and CloseNotification as the freedesktop spec says, and prints each
 * notification as one JSON line on stdout ({"ready":true} first, once the name is owned).
 * A test peer (what a desktop runs), not a copy of srmd's code.
 * usage: notify-peer [--markup]   (--markup: advertise body-markup)
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <systemd/sd-bus.h>

static int markup;
static uint32_t last_id;

/* s as a JSON string. */
static void json_str(const char *s)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static int on_notify(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	const char *app = NULL, *icon = NULL, *summary = NULL, *body = NULL, *key = NULL;
	uint32_t replaces = 0;
	int32_t expire = 0;
	int urgency = -1, r, n_actions = 0;

	(void)ud;
	(void)err;
	r = sd_bus_message_read(m, "susss", &app, &replaces, &icon, &summary, &body);
	if (r < 0)
		return r;
	printf("{\"app_name\":");
	json_str(app);
	printf(",\"replaces_id\":%u,\"app_icon\":", replaces);
	json_str(icon);
	printf(",\"summary\":");
	json_str(summary);
	printf(",\"body\":");
	json_str(body);
	printf(",\"actions\":[");
	r = sd_bus_message_enter_container(m, 'a', "s");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_read(m, "s", &key)) > 0) {
		printf("%s", n_actions++ > 0 ? "," : "");
		json_str(key);
	}
	if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0)
		return r;
	printf("],\"hints\":[");
	r = sd_bus_message_enter_container(m, 'a', "{sv}");
	if (r < 0)
		return r;
	for (int n = 0; (r = sd_bus_message_enter_container(m, 'e', "sv")) > 0; n++) {
		const char *sig = NULL;
		char type = 0;

		if ((r = sd_bus_message_read(m, "s", &key)) < 0 ||
		    (r = sd_bus_message_peek_type(m, &type, &sig)) < 0)
			return r;
		printf("%s", n > 0 ? "," : "");
		json_str(key);
		if (strcmp(key, "urgency") == 0 && sig != NULL && strcmp(sig, "y") == 0) {
			uint8_t u = 0;

			if ((r = sd_bus_message_read(m, "v", "y", &u)) < 0)
				return r;
			urgency = u;
		} else if ((r = sd_bus_message_skip(m, "v")) < 0) {
			return r;
		}
		if ((r = sd_bus_message_exit_container(m)) < 0)
			return r;
	}
	if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0)
		return r;
	if ((r = sd_bus_message_read(m, "i", &expire)) < 0)
		return r;
	printf("],\"urgency\":%d,\"expire_timeout\":%d,\"id\":%u}\n", urgency, expire, last_id + 1);
	(void)fflush(stdout);
	return sd_bus_reply_method_return(m, "u", ++last_id);
}

static int on_caps(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	(void)ud;
	(void)err;
	return markup ? sd_bus_reply_method_return(m, "as", 2, "body", "body-markup")
		      : sd_bus_reply_method_return(m, "as", 1, "body");
}

static int on_info(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	(void)ud;
	(void)err;
	return sd_bus_reply_method_return(m, "ssss", "notify-peer", "srm-tests", "1", "1.2");
}

static int on_close(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	uint32_t id = 0;
	int r = sd_bus_message_read(m, "u", &id);

	(void)ud;
	(void)err;
	return r < 0 ? r : sd_bus_reply_method_return(m, "");
}

static const sd_bus_vtable vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("Notify", "susssasa{sv}i", "u", on_notify, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetCapabilities", "", "as", on_caps, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetServerInformation", "", "ssss", on_info, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("CloseNotification", "u", "", on_close, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END
};

int main(int argc, char **argv)
{
	sd_bus *bus = NULL;
	int r;

	markup = argc > 1 && strcmp(argv[1], "--markup") == 0;
	r = sd_bus_open_user(&bus);
	if (r >= 0)
		r = sd_bus_add_object_vtable(bus, NULL, "/org/freedesktop/Notifications",
					     "org.freedesktop.Notifications", vtable, NULL);
	if (r >= 0)
		r = sd_bus_request_name(bus, "org.freedesktop.Notifications", 0);
	if (r < 0) {
		fprintf(stderr, "notify-peer: %s\n", strerror(-r));
		sd_bus_unref(bus);
		return 1;
	}
	printf("{\"ready\":true}\n");
	(void)fflush(stdout);
	for (;;) {
		r = sd_bus_process(bus, NULL);
		if (r > 0)
			continue;
		if (r == 0)
			r = sd_bus_wait(bus, UINT64_MAX);
		if (r < 0)
			break;
	}
	sd_bus_unref(bus);
	return 0;
}
