// Ferment's small enhancements. Every page works without this file: forms post, links navigate.
// Hand-written on the browser's own APIs; nothing from a registry.
(function () {
  'use strict';

  // Ask before a destructive post (forms marked data-confirm="question").
  document.addEventListener('submit', function (event) {
    var question = event.target.getAttribute('data-confirm');
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // List filters apply as soon as a select changes.
  document.querySelectorAll('select[data-autosubmit]').forEach(function (select) {
    select.addEventListener('change', function () {
      if (select.form) {
        select.form.requestSubmit();
      }
    });
  });

  // "Another bank account": copy the last row, renumber its names (bank_accounts[N].field), empty it.
  var ROW_INDEX = /bank_accounts\[\d+\]/g;
  document.querySelectorAll('[data-add-row]').forEach(function (button) {
    var rows = button.parentElement.querySelector('.bank-rows');
    if (!rows) {
      return;
    }
    button.hidden = false;
    button.addEventListener('click', function () {
      var last = rows.lastElementChild;
      if (!last) {
        return;
      }
      var index = rows.children.length;
      var copy = last.cloneNode(true);
      copy.setAttribute('data-row', String(index));
      copy.querySelectorAll('.field-error').forEach(function (message) {
        message.remove();
      });
      copy.querySelectorAll('.has-error').forEach(function (field) {
        field.classList.remove('has-error');
      });
      copy.querySelectorAll('[name], [id], [for], [aria-describedby]').forEach(function (element) {
        ['name', 'id', 'for'].forEach(function (attribute) {
          var value = element.getAttribute(attribute);
          if (value) {
            element.setAttribute(attribute, value.replace(ROW_INDEX, 'bank_accounts[' + index + ']'));
          }
        });
        element.removeAttribute('aria-invalid');
        element.removeAttribute('aria-describedby');
        if (element.tagName === 'INPUT') {
          element.value = '';
        }
      });
      rows.appendChild(copy);
      var first = copy.querySelector('input');
      if (first) {
        first.focus();
      }
    });
  });

  // A permission matrix colours each cell by its level; keep the colour in step with the choice.
  document.querySelectorAll('select[data-level]').forEach(function (select) {
    select.addEventListener('change', function () {
      select.setAttribute('data-level', select.value);
    });
  });

  // The stage-move form shows the process type, contract kind and reason only for a stage that
  // needs them (data-needs maps each stage to the inputs it needs); hidden inputs are not sent.
  document.querySelectorAll('form[data-needs]').forEach(function (form) {
    var needs;
    try {
      needs = JSON.parse(form.getAttribute('data-needs'));
    } catch (error) {
      return;
    }
    var stage = form.querySelector('select[name="stage"]');
    if (!stage) {
      return;
    }
    var update = function () {
      var wanted = needs[stage.value] || [];
      ['process_type', 'contract_kind', 'reason'].forEach(function (name) {
        var input = form.querySelector('[name="' + name + '"]');
        var field = input && input.closest('.field');
        if (!field) {
          return;
        }
        var show = wanted.indexOf(name) >= 0 || input.getAttribute('aria-invalid') === 'true';
        field.hidden = !show;
        input.disabled = !show;
      });
    };
    stage.addEventListener('change', update);
    update();
  });

  // The template editor's field palette: a click inserts the field at the cursor.
  var source = document.getElementById('f-source');
  document.querySelectorAll('[data-insert]').forEach(function (button) {
    button.addEventListener('click', function () {
      if (!source) {
        return;
      }
      var text = button.getAttribute('data-insert');
      var start = source.selectionStart, end = source.selectionEnd;
      source.value = source.value.slice(0, start) + text + source.value.slice(end);
      source.focus();
      source.selectionStart = source.selectionEnd = start + text.length;
    });
  });

  // After a refused save, put the cursor in the first field that needs fixing.
  var invalid = document.querySelector('[aria-invalid="true"]');
  if (invalid) {
    invalid.focus();
  }
})();
