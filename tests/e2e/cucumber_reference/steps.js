// Step definitions for reference.feature (run by cucumber-js in the consumer tests).
const { Given, When, Then } = require('@cucumber/cucumber');

Given('a step that passes', function () {});
Then('a step that attaches text', function () {
  this.attach('some text', 'text/plain');
});
When('a step that fails {word}', function (where) {
  this.attach('before failing ' + where, 'text/plain');
  throw new Error('failed ' + where);
});
