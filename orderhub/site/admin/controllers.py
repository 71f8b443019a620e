"""The merchant admin's controllers (other areas add theirs to app.CONTROLLERS themselves)."""

from orderhub.site.admin.account import AdminAccountController
from orderhub.site.admin.dashboard import DashboardController
from orderhub.site.admin.operations import OperationsController
from orderhub.site.admin.settings.integrations import IntegrationsController
from orderhub.site.admin.settings.routes import SettingsController
from orderhub.site.admin.settings.stores import StoresController
from orderhub.site.emails.admin import AdminEmailsController

CONTROLLERS = [AdminAccountController, DashboardController, OperationsController, AdminEmailsController,
               StoresController, IntegrationsController, SettingsController]
