export { parseTemplate, renderTemplate, isVariableName } from './template-syntax.js';
export type { ParsedTemplate, RenderedTemplate, TemplateValues } from './template-syntax.js';
export { validateTemplate, WHATSAPP_TEXT_MAX_LENGTH } from './validate-template.js';
export type { TemplateValidation, TemplateRules, BodyLengthProblem } from './validate-template.js';
export { TEMPLATE_CATEGORIES } from './template-category.js';
export type { TemplateCategory } from './template-category.js';
export { TEMPLATE_LANGUAGES, isTemplateLanguage, templateLanguageForLocale } from './template-language.js';
export type { TemplateLanguage } from './template-language.js';
export { BUILTIN_VARIABLE_NAMES, allowedVariablesFor } from './template-variables.js';
export type { BuiltinVariableName } from './template-variables.js';
export {
  BUILTIN_TEMPLATES,
  BUILTIN_TEMPLATE_KEYS,
  findBuiltinTemplate,
  isBuiltinTemplateKey,
} from './builtin-templates.js';
export type { BuiltinTemplate, BuiltinTemplateKey } from './builtin-templates.js';
export { formatAppointmentDate, formatAppointmentTime } from './format-appointment-time.js';
export { AppointmentTimeFormatError } from './appointment-time-format-error.js';
export type { AppointmentTimeFormatProblem } from './appointment-time-format-error.js';
export { buildAppointmentVariables } from './appointment-variables.js';
export type {
  AppointmentForMessage,
  AdvisorForMessage,
  AppointmentVariables,
} from './appointment-variables.js';
export { ONLINE_APPOINTMENT_PLACE, DEFAULT_FOLLOW_UP_MESSAGE } from './default-variable-texts.js';
export { builtinTemplateId, parseTemplateId } from './template-id.js';
export type { TemplateId } from './template-id.js';
export type { TemplateContext } from './template-context.js';
export type { TemplateView } from './template-view.js';
export {
  checkTemplateDraft,
  validationFailed,
  TEMPLATE_KEY_MAX_LENGTH,
  TEMPLATE_NAME_MAX_LENGTH,
  CUSTOM_VARIABLES_MAX,
  VARIABLE_NAME_MAX_LENGTH,
} from './check-template-draft.js';
export type { TemplateDraft, CheckedTemplate, FieldProblem } from './check-template-draft.js';
export { listTemplates } from './list-templates.js';
export { getTemplate } from './get-template.js';
export { createTemplate } from './create-template.js';
export type { CreateTemplateInput } from './create-template.js';
export { updateTemplate } from './update-template.js';
export type { UpdateTemplateInput } from './update-template.js';
export { deleteTemplate } from './delete-template.js';
export { previewTemplate } from './preview-template.js';
export type { TemplatePreview } from './preview-template.js';
export { resolveTemplateForSend } from './resolve-template-for-send.js';
export type { TemplateRef, TemplateForSend } from './resolve-template-for-send.js';
