"""Serves Debian's graphite-web (its Django WSGI application) on 127.0.0.1 for one test run.

Usage: python3 graphite_web.py PORT WHISPER_DIR WORK_DIR CARBONLINK_PORT

graphite-web reads its settings from a module named by GRAPHITE_SETTINGS_MODULE; the package's own points at /etc and
/var/lib, so this one is built here instead, pointing at the test's whisper files, a scratch directory and the test's
carbon-cache (its cache query port, so points carbon has not written yet are rendered too). wsgiref is enough: the
tests send one render request at a time.
"""
import os
import socketserver
import sys
import types
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

port, whisper_dir, work_dir, carbonlink_port = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
os.makedirs(os.path.join(work_dir, "log"), exist_ok=True)

settings = types.ModuleType("instrumentation_test_graphite_settings")
settings.SECRET_KEY = "instrumentation-tests-only"
settings.GRAPHITE_ROOT = work_dir
settings.STORAGE_DIR = work_dir
settings.WHISPER_DIR = whisper_dir
settings.STANDARD_DIRS = [whisper_dir]
settings.LOG_DIR = os.path.join(work_dir, "log")
settings.INDEX_FILE = os.path.join(work_dir, "index")
settings.CARBONLINK_HOSTS = ["127.0.0.1:%s" % carbonlink_port]
settings.DEFAULT_XFILES_FACTOR = 0
settings.DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(work_dir, "graphite.db")}}
sys.modules[settings.__name__] = settings
os.environ["GRAPHITE_SETTINGS_MODULE"] = settings.__name__
os.environ["DJANGO_SETTINGS_MODULE"] = "graphite.settings"

from graphite.wsgi import application  # noqa: E402  (needs the settings above)


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


class ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


server = make_server("127.0.0.1", port, application, server_class=ThreadingServer, handler_class=QuietHandler)
print("graphite-web listening on 127.0.0.1:%d" % port, flush=True)
server.serve_forever()
