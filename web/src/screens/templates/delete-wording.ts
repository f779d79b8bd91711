// What deleting a template says. Deleting an advisor's own version of a built-in does not make the
// template disappear: the built-in takes its place again, and the dialog must say so.
import type { Template } from '../../lib/api-types';

export interface DeleteWording {
  title: 'tpl.deleteTitle' | 'tpl.revertTitle';
  text: 'tpl.deleteText' | 'tpl.revertText';
  confirm: 'common.delete' | 'tpl.revert';
  done: 'tpl.deleted' | 'tpl.reverted';
}

export function deleteWording(template: Pick<Template, 'overridesBuiltIn'> | null): DeleteWording {
  return template?.overridesBuiltIn
    ? { title: 'tpl.revertTitle', text: 'tpl.revertText', confirm: 'tpl.revert', done: 'tpl.reverted' }
    : { title: 'tpl.deleteTitle', text: 'tpl.deleteText', confirm: 'common.delete', done: 'tpl.deleted' };
}
