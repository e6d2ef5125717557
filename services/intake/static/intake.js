/* Intake's progressive enhancements. Every page works without this file: it starts the
   design system's components, shows the receipt's print button, fills town and municipality
   from the postal code, and adds a map to mark a road stretch (the form works if tiles fail)
   whose pin suggests the municipality it falls in. */
(function () {
  'use strict';

  if (window.DKFDS && typeof window.DKFDS.init === 'function') {
    window.DKFDS.init();
  }

  // --- the receipt's print button: without script, its hint says how to print -----------
  var printButton = document.getElementById('print-receipt');
  if (printButton && typeof window.print === 'function') {
    var printHint = document.getElementById('print-hint');
    printButton.hidden = false;
    if (printHint) {
      printHint.hidden = true;
    }
    printButton.addEventListener('click', function () { window.print(); });
  }

  var form = document.getElementById('main-form');
  if (!form) {
    return;
  }

  // --- postal code -> town and municipality -------------------------------------------
  var lookup = form.getAttribute('data-postal-lookup');
  var postal = document.getElementById('location-postal_code');
  var city = document.getElementById('location-city');
  var municipality = document.getElementById('location-municipality_code');
  var filledNote = document.getElementById('municipality-filled');
  // What script chose last (postal code or map pin): it may replace that, never the citizen's.
  var autoMunicipality = '';
  if (lookup && postal && window.fetch) {
    var autoCity = '';
    var lastCode = '';
    var fill = function () {
      var code = postal.value.replace(/\s+/g, '');
      if (!/^[0-9]{4}$/.test(code) || code === lastCode) {
        return;
      }
      lastCode = code;
      window.fetch(lookup + encodeURIComponent(code), { headers: { Accept: 'application/json' } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (area) {
          if (!area) {
            return;
          }
          if (city && (!city.value || city.value === autoCity)) {
            city.value = autoCity = area.name;
          }
          var codes = area.municipality_codes || [];
          if (municipality && codes.length === 1 &&
              (!municipality.value || municipality.value === autoMunicipality)) {
            municipality.value = autoMunicipality = codes[0];
            if (filledNote) {
              filledNote.textContent = municipality.getAttribute('data-filled-text') || '';
            }
          }
        })
        .catch(function () { /* no data: the citizen chooses the municipality */ });
    };
    postal.addEventListener('input', fill);
    postal.addEventListener('change', fill);
  }

  // --- a map pin for the road stretch -----------------------------------------------------
  var group = document.getElementById('map-group');
  var latInput = document.getElementById('location-lat');
  var lonInput = document.getElementById('location-lon');
  if (!group || !latInput || !lonInput || !window.L) {
    return;
  }
  group.hidden = false;
  var status = document.getElementById('map-status');
  var failed = document.getElementById('map-failed');
  var denmark = [56.0, 10.6];
  var map = window.L.map('map', { scrollWheelZoom: false }).setView(denmark, 6);
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  var tiles = window.L.tileLayer(group.getAttribute('data-tiles'), {
    attribution: group.getAttribute('data-attribution') || '',
    maxZoom: 19
  });
  var tileErrors = 0;
  tiles.on('tileerror', function () {
    tileErrors += 1;
    if (failed && tileErrors >= 2) {
      failed.hidden = false;
    }
  });
  tiles.on('tileload', function () {
    tileErrors = 0;
    if (failed) {
      failed.hidden = true;
    }
  });
  tiles.addTo(map);

  // --- the pin's municipality, as a suggestion the citizen can change ----------------------
  var municipalityLookup = group.getAttribute('data-municipality-lookup');
  var asked = 0;
  var suggest = function (lat, lng) {
    if (!municipalityLookup || !municipality || !filledNote || !window.fetch) {
      return;
    }
    asked += 1;
    var question = asked;
    var address = municipalityLookup + '?lat=' + encodeURIComponent(lat) +
      '&lon=' + encodeURIComponent(lng) + '&lang=' + encodeURIComponent(document.documentElement.lang);
    window.fetch(address, { headers: { Accept: 'application/json' } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (found) {
        if (question !== asked) {
          return; // the pin moved again meanwhile
        }
        var code = found && found.municipality_code;
        var known = code && municipality.querySelector('option[value="' + code + '"]');
        if (!known) {
          filledNote.textContent = '';
          return;
        }
        var text;
        if (!municipality.value || municipality.value === autoMunicipality) {
          municipality.value = autoMunicipality = code;
          text = group.getAttribute('data-suggested');
        } else if (municipality.value !== code) {
          text = group.getAttribute('data-suggestion');
        }
        filledNote.textContent = text ? text.replace('{name}', found.name) : '';
      })
      .catch(function () { /* no suggestion: the citizen chooses the municipality */ });
  };

  var marker = null;
  var announce = function (text) {
    if (status) {
      status.textContent = text || '';
    }
  };
  var place = function (latlng) {
    var lat = Math.round(latlng.lat * 1e6) / 1e6;
    var lng = Math.round(latlng.lng * 1e6) / 1e6;
    if (marker) {
      marker.setLatLng([lat, lng]);
    } else {
      marker = window.L.marker([lat, lng], { interactive: false, keyboard: false, alt: '' }).addTo(map);
    }
    latInput.value = String(lat);
    lonInput.value = String(lng);
    announce(group.getAttribute('data-placed'));
  };
  var clear = function () {
    if (marker) {
      map.removeLayer(marker);
      marker = null;
    }
    latInput.value = '';
    lonInput.value = '';
    announce(group.getAttribute('data-cleared'));
  };

  if (latInput.value && lonInput.value) {
    var start = window.L.latLng(parseFloat(latInput.value), parseFloat(lonInput.value));
    if (!isNaN(start.lat) && !isNaN(start.lng)) {
      place(start);
      map.setView(start, 16);
      announce('');
    }
  }
  var pin = function (latlng) {
    place(latlng);
    suggest(latInput.value, lonInput.value);
  };
  map.on('click', function (event) { pin(event.latlng); });
  document.getElementById('map-centre').addEventListener('click', function () {
    pin(map.getCenter());
  });
  document.getElementById('map-clear').addEventListener('click', clear);
})();
